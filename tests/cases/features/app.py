import wit_world
from wit_world import exports


class WitWorld(wit_world.WitWorld):
    def shine(self, n: int) -> int:
        return n * 10


class Extras(exports.Extras):
    def sparkle(self, s: str) -> str:
        return f"*{s}*"

    def plain(self, s: str) -> str:
        return s
