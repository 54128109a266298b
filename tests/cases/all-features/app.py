import wit_world


class WitWorld(wit_world.WitWorld):
    def first(self) -> int:
        return 1

    def second(self) -> int:
        return 2
