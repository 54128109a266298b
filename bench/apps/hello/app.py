"""Hello world as a `wasi:cli/command` component (the same app for both tools)."""

from wit_world import exports


class Run(exports.Run):
    def run(self) -> None:
        print("Hello, world!")
