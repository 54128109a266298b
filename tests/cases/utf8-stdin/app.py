import sys

from wit_world import exports


class Run(exports.Run):
    def run(self) -> None:
        line = input("prompt> ")
        print("input:", repr(line), len(line))
        second = sys.stdin.readline()
        print("readline:", repr(second), len(second))
        rest = sys.stdin.read()
        print("read:", repr(rest), len(rest))
        try:
            input()
        except EOFError:
            print("EOFError at the end")
        raw = sys.stdin.buffer.read()
        print("buffer at the end:", raw)
