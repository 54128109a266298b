"""A custom world with world-level exports, built with --stub-wasi: the component imports no WASI."""

from typing import List, Optional

import wit_world
from componentize_py_types import Err
from wit_world import Op, Op_Add, Op_Div, Op_Mul, Op_Sub


class WitWorld(wit_world.WitWorld):
    def eval(self, op: Op, a: float, b: float) -> float:
        if isinstance(op, Op_Add):
            return a + b
        if isinstance(op, Op_Sub):
            return a - b
        if isinstance(op, Op_Mul):
            return a * b
        assert isinstance(op, Op_Div)
        if b == 0:
            raise Err("division by zero")
        return a / b

    def mean(self, xs: List[float]) -> Optional[float]:
        return sum(xs) / len(xs) if xs else None
