from typing import Self

from wit_world.exports import counters


class Counter(counters.Counter):
    def __init__(self, start: int) -> None:
        self.value = start

    def increment(self, by: int) -> int:
        self.value += by
        return self.value

    def get(self) -> int:
        return self.value

    @classmethod
    def merge(cls, a: Self, b: Self) -> Self:
        return cls(a.value + b.value)
