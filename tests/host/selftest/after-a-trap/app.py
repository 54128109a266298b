# The harness's self-test (tests/host/tests/cases.rs): `count` counts the calls of one instance,
# so a call after a trap shows whether it runs, and in a fresh instance.
import wit_world

calls = 0


class WitWorld(wit_world.WitWorld):
    def boom(self) -> None:
        raise ValueError("boom")

    def count(self) -> int:
        global calls
        calls += 1
        return calls
