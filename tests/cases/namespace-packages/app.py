import importlib
import importlib.util
import os
import pkgutil
import sys

import nspkg.sub.mod
import nspkg.regular.leaf
import nspkg.from_extra

import wit_world

# A module that puts a directory of its own on sys.path (as vendoring libraries do).
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "vendor"))
import vendored_mod


def describe(module: object) -> str:
    spec = module.__spec__  # type: ignore[attr-defined]
    return (
        f"{spec.name}: origin={spec.origin} file={getattr(module, '__file__', None)} "
        f"loader={type(spec.loader).__name__} path={list(spec.submodule_search_locations or [])}"
    )


AT_BUILD = [
    nspkg.sub.mod.VALUE,
    nspkg.regular.leaf.VALUE,
    nspkg.from_extra.VALUE,
    vendored_mod.VALUE,
    describe(nspkg),
    describe(nspkg.sub),
    repr(nspkg).split(" from ")[0],
    str(sorted(name for _, name, _ in pkgutil.iter_modules(nspkg.regular.__path__))),
]


class WitWorld(wit_world.WitWorld):
    def at_build_time(self) -> list[str]:
        return AT_BUILD

    def at_run_time(self) -> list[str]:
        assert "nspkg.lazy" not in sys.modules
        late = importlib.import_module("nspkg.lazy.deep.late")
        import nspkg.regular.other
        import vendored_late

        return [
            late.VALUE,
            nspkg.regular.other.VALUE,
            vendored_late.VALUE,
            describe(sys.modules["nspkg.lazy"]),
            str(importlib.util.find_spec("nspkg.lazy.deep").submodule_search_locations is not None),
        ]

    def import_missing(self, name: str) -> str:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as e:
            return f"ModuleNotFoundError: {e}"
        return "imported"
