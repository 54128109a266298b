import wit_world
from componentize_py_types import Err


def number(*digits: int) -> int:
    return int("".join(map(str, digits)))


class WitWorld(wit_world.WitWorld):
    def digits8(self, a: int, b: int, c: int, d: int, e: int, f: int, g: int, h: int) -> int:
        return number(a, b, c, d, e, f, g, h)

    def digits9(
        self, a: int, b: int, c: int, d: int, e: int, f: int, g: int, h: int, i: int
    ) -> int:
        return number(a, b, c, d, e, f, g, h, i)

    def spread(
        self, a: int, b: int, c: int, d: int, e: int, f: int, g: int, h: int, i: int,
        j: str, k: int, l: int, m: int, n: int, o: int, p: int, q: int,
    ) -> str:
        return f"{sum((a, b, c, d, e, f, g, h, i, k, l, m, n, o, p, q))} {j}"

    def fail9(
        self, a: int, b: int, c: int, d: int, e: int, f: int, g: int, h: int, i: int
    ) -> int:
        raise Err(f"sum {a + b + c + d + e + f + g + h + i}")
