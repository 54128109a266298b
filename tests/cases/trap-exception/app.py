import wit_world


class WitWorld(wit_world.WitWorld):
    def name(self) -> str:
        return 42  # type: ignore[return-value]

    def boom(self) -> int:
        return dict[str, int]()["missing"]
