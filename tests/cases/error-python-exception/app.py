import wit_world

CONFIG: dict[str, object] = {"debug": False}


class WitWorld(wit_world.WitWorld):
    def f(self) -> int:
        return 1


CONFIG["level"] = int("verbose")
