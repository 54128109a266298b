from typing import List

from wit_world import exports
from wit_world.exports import counters


class Counters(exports.Counters):
    def total(self, cs: List[counters.Counter]) -> int:
        return sum(c.get() for c in cs)
