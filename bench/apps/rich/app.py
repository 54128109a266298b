"""The rich custom world's app (the same for both tools, componentize-py 0.25.1's API)."""

import math
from typing import List

from componentize_py_types import Err
from wit_world import exports
from wit_world.exports.api import Color, Item, Point, Shape, Shape_Circle, Shape_Rect


class Api(exports.Api):
    def add(self, a: int, b: int) -> int:
        return (a + b) & 0xFFFFFFFF

    def echo_bytes(self, data: bytes) -> bytes:
        return data

    def echo_strings(self, items: List[str]) -> List[str]:
        return items

    def area(self, s: Shape) -> float:
        if isinstance(s, Shape_Circle):
            return math.pi * s.value * s.value
        if isinstance(s, Shape_Rect):
            a, b = s.value
            return float(abs(b.x - a.x) * abs(b.y - a.y))
        return 0.0

    def next_color(self, c: Color) -> Color:
        return Color((c.value + 1) % 3)

    def sort_points(self, points: List[Point]) -> List[Point]:
        return sorted(points, key=lambda p: (p.x, p.y))

    def parse_u32(self, s: str) -> int:
        try:
            return int(s)
        except ValueError:
            raise Err(f"not a number: {s}")

    def describe(self, i: Item) -> str:
        where = f" at ({i.where.x}, {i.where.y})" if i.where else ""
        return f"{i.name} [{', '.join(i.tags)}]{where} {i.perms!r}"
