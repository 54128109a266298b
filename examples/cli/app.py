"""Hello world as a `wasi:cli/command` component."""

import sys

from wit_world import exports


class Run(exports.Run):
    def run(self) -> None:
        name = sys.argv[1] if len(sys.argv) > 1 else "world"
        print(f"Hello, {name}!")
