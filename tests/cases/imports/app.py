import wit_world
from componentize_py_types import Err
from wit_world.imports import store


class WitWorld(wit_world.WitWorld):
    def run(self, key: str) -> str:
        wit_world.log(f"looking up {key}")
        found = store.get(key)
        if found is None:
            return "missing"
        doubled = wit_world.double(found)
        try:
            previous = store.put(store.Entry(key=key, value=doubled))
        except Err as e:
            return f"put failed: {e.value}"
        return f"{key}: {found} -> {doubled} (was {previous})"
