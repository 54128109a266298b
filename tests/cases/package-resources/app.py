import importlib.resources
import json
import pkgutil

import wit_world


def read_resources() -> list[str]:
    root = importlib.resources.files("assets")
    data = root / "data"
    return [
        json.loads(data.joinpath("config.json").read_text(encoding="utf-8"))["greeting"],
        root.joinpath("data", "nested", "deep.txt").read_text(encoding="utf-8").strip(),
        (root / "notes.txt").read_bytes().decode(),
        str(sorted(p.name for p in root.iterdir())),
        str(sorted(p.name for p in data.iterdir())),
        f"{data.is_dir()} {data.is_file()} {(data / 'config.json').is_file()} {(root / 'nope').is_file()}",
        str(pkgutil.get_data("assets", "data/config.json")),
    ]


AT_BUILD = read_resources()


class WitWorld(wit_world.WitWorld):
    def at_build_time(self) -> list[str]:
        return AT_BUILD

    def at_run_time(self) -> list[str]:
        return read_resources()
