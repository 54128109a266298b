import atexit
import sys
from typing import Callable

from wit_world import exports


def deep(depth: int, code: object) -> None:
    if depth == 0:
        raise SystemExit(code)
    deep(depth - 1, code)


def bare(depth: int) -> None:
    if depth == 0:
        raise SystemExit
    bare(depth - 1)


def caught() -> None:
    try:
        sys.exit(5)
    except SystemExit as e:
        print("caught SystemExit", e.code)


# One behaviour per call of run(), in order.
STEPS: list[tuple[str, Callable[[], None]]] = [
    ("sys.exit()", lambda: sys.exit()),
    ("sys.exit(0)", lambda: sys.exit(0)),
    ("sys.exit(None)", lambda: sys.exit(None)),
    ("sys.exit(3)", lambda: sys.exit(3)),
    ("sys.exit('message')", lambda: sys.exit("the exit message, with é")),
    ("nested SystemExit(2)", lambda: deep(10, 2)),
    ("nested bare SystemExit", lambda: bare(10)),
    ("sys.exit(False)", lambda: sys.exit(False)),
    ("sys.exit(True)", lambda: sys.exit(True)),
    ("sys.exit(-1)", lambda: sys.exit(-1)),
    ("SystemExit([1, 2])", lambda: deep(0, [1, 2])),
    ("caught", caught),
    ("exit(7)", lambda: exit(7)),
    ("quit()", lambda: quit()),
    ("exit()", lambda: exit()),
]
step = 0


class Run(exports.Run):
    def run(self) -> None:
        global step
        name, action = STEPS[step]
        step += 1
        # atexit callbacks run when SystemExit ends the command, as CPython's exit does.
        atexit.register(print, "atexit after", name)
        print("step", step, name)
        action()
        print("returned normally after", name)
