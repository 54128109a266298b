import math
from typing import List, Optional, Tuple

from componentize_py_types import Err, Ok, Result, Some
from wit_world import exports
from wit_world.exports.shapes import (
    Color, Perms, Point, Shape, Shape_Circle, Shape_Dot, Shape_Rect,
)


class Shapes(exports.Shapes):
    def area(self, s: Shape) -> float:
        if isinstance(s, Shape_Circle):
            return math.pi * s.value * s.value
        if isinstance(s, Shape_Rect):
            a, b = s.value
            return float(abs(b.x - a.x) * abs(b.y - a.y))
        assert isinstance(s, Shape_Dot)
        return 0.0

    def move_point(self, p: Point, dx: int, dy: int) -> Point:
        return Point(x=p.x + dx, y=p.y + dy)

    def next_color(self, c: Color) -> Color:
        return Color((c.value + 1) % 3)

    def toggle_write(self, p: Perms) -> Perms:
        return p ^ Perms.WRITE

    def centre(self, s: Shape) -> Optional[Point]:
        if isinstance(s, Shape_Rect):
            a, b = s.value
            return Point((a.x + b.x) // 2, (a.y + b.y) // 2)
        return None

    def parse_u32(self, s: str) -> int:
        try:
            return int(s)
        except ValueError:
            raise Err(f"not a number: {s}")

    def check(self, ok: bool) -> None:
        if not ok:
            raise Err("not ok")

    def maybe_maybe(self, x: Optional[Some[Optional[int]]]) -> Optional[Some[Optional[int]]]:
        if x is None:
            return Some(None)
        if x.value is None:
            return None
        return Some(x.value + 1)

    def sum_bytes(self, data: bytes) -> int:
        assert isinstance(data, bytes)
        return sum(data)

    def reverse_bytes(self, data: bytes) -> bytes:
        return data[::-1]

    def sort_points(self, points: List[Point]) -> List[Point]:
        return sorted(points, key=lambda p: (p.x, p.y))

    def split_words(self, s: str) -> List[str]:
        return s.split()

    def swap(self, t: Tuple[str, int]) -> Tuple[int, str]:
        return (t[1], t[0])

    def results(self, xs: List[Result[int, str]]) -> bytes:
        return bytes(x.value if isinstance(x, Ok) else len(x.value) for x in xs)
