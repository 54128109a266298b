import sdk
import wit_world


class WitWorld(wit_world.WitWorld):
    def run(self, msg: str) -> str:
        try:
            sdk.use_b()
            b = "available"
        except NotImplementedError as e:
            b = str(e)
        return f"{msg} {sdk.use_a()} / b: {b}"
