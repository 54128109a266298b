from typing import cast

from componentize_py_types import Err, Ok, Result
from wit_world import exports
from wit_world.imports import host


def flip(a: Result[int, int]) -> Result[int, int]:
    if isinstance(a, Ok):
        return Err(a.value)
    return Ok(a.value)


class Api(exports.Api):
    def flip(self, a: Result[int, int]) -> Result[int, int]:
        return flip(a)

    def flip_again(self, a: Result[int, int]) -> Result[int, int]:
        return flip(a)

    def bump(self, a: Result[int, int]) -> int:
        if isinstance(a, Err):
            raise Err(a.value + 1)
        return a.value + 1

    def bump_inline(self, a: Result[int, int]) -> int:
        return self.bump(a)

    def call_flip(self, x: int) -> str:
        got = host.flip(Ok(x))
        return f"{type(got).__name__} {got.value}"

    def call_bump(self, x: int) -> str:
        try:
            return f"returned {host.bump(x)}"
        except Err as e:
            return f"raised {e.value}"

    def not_a_result(self) -> Result[int, int]:
        return cast(Result[int, int], 5)
