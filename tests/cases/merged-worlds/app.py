import wit_world
from wit_world import exports


class WitWorld(wit_world.WitWorld):
    def count(self, times: int) -> int:
        return sum(wit_world.tick() for _ in range(times))


class Greet(exports.Greet):
    def hello(self, name: str) -> str:
        return f"hello, {name}"
