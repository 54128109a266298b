import wit_world


class WitWorld(wit_world.WitWorld):
    def first(self) -> int:
        return 1
