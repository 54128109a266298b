# The module named after the interface (where componentize-py looks for exported resource
# classes) is the bindings' own module: the app's class subclasses the protocol found there.
import sys

import wit_world.exports.fs_provider
from wit_world import exports

sys.modules.setdefault("fs_provider", wit_world.exports.fs_provider)
fs_provider = wit_world.exports.fs_provider


class File(fs_provider.File):
    def __init__(self, path: str) -> None:
        self.path = path

    def read(self) -> str:
        return f"contents of {self.path}"

    def rename(self, name: str) -> None:
        self.path = name


class FsProvider(exports.FsProvider):
    def open(self, path: str) -> fs_provider.File:
        return File(path)

    def name_of(self, f: fs_provider.File) -> str:
        assert isinstance(f, File), f
        return f.path
