"""The exported resource `counter` of interface `api` (a top-level module named after it)."""

from wit_world.exports import api


class Counter(api.Counter):
    def __init__(self, start: int) -> None:
        self.value = start

    def increment(self, by: int) -> int:
        self.value += by
        return self.value
