import sdk
import sdk.bindings.imports.log
import wit_world
import wit_world.imports.log


class WitWorld(wit_world.WitWorld):
    def run(self, msg: str) -> str:
        return f"{msg} logged as #{sdk.info(msg)}"

    def same_classes(self) -> bool:
        return sdk.bindings.imports.log.Entry is wit_world.imports.log.Entry
