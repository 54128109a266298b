import store as mine
from wit_world import exports
from wit_world.imports import store as host


class Store(exports.Store):
    def make(self, n: int) -> mine.Item:
        item = host.make(n)
        return mine.Item(item.get() + 1)
