import sys

from wit_world import exports


class Run(exports.Run):
    def run(self) -> None:
        print("Hello, world!")
        print("from", sys.implementation.name, sys.version_info[:2])
        # A host that passes no arguments leaves sys.argv == [""], as in CPython.
        print("argv", sys.argv)
