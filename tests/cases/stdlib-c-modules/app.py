import os
from typing import Protocol

import wit_world

# Imported at build time: these C modules are in the snapshot.
import sqlite3
import zlib


class Codec(Protocol):
    def compress(self, data: bytes, /) -> bytes: ...
    def decompress(self, data: bytes, /) -> bytes: ...


def _codec(name: str) -> Codec:
    # bz2 and lzma are imported at run time only.
    if name == "zlib":
        return zlib
    if name == "bz2":
        import bz2
        return bz2
    if name == "lzma":
        import lzma
        return lzma
    raise ValueError(f"unknown codec {name!r}")


class WitWorld(wit_world.WitWorld):
    def sqlite(self, statements: list[str]) -> list[list[str]]:
        connection = sqlite3.connect(":memory:")
        rows: list[list[str]] = []
        for statement in statements:
            rows = [[str(v) for v in row] for row in connection.execute(statement)]
        connection.close()
        return rows

    def round_trip(self, codec: str, data: bytes) -> bytes:
        module = _codec(codec)
        packed = module.compress(data * 1000)
        assert len(packed) < len(data) * 1000
        return module.decompress(packed)[: len(data)]

    def archives(self, mode: str) -> list[str]:
        # Imported at run time only.
        import shutil
        import tarfile
        import tempfile
        import zipfile

        found = []
        with tempfile.TemporaryDirectory(dir="/tmp") as root:
            source = os.path.join(root, "source.txt")
            with open(source, "w") as f:
                f.write("héllo wörld\n" * 100)
            tar = os.path.join(root, f"a.tar.{mode}")
            with tarfile.TarFile.open(tar, f"w:{mode}") as archive:  # type: ignore[call-overload]
                archive.add(source, arcname="in-tar.txt")
            shutil.unpack_archive(tar, os.path.join(root, "tar"))
            found += sorted(os.listdir(os.path.join(root, "tar")))
            for method in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA):
                path = os.path.join(root, f"{method}.zip")
                with zipfile.ZipFile(path, "w", compression=method) as archive:
                    archive.write(source, arcname=f"in-zip-{method}.txt")
                shutil.unpack_archive(path, os.path.join(root, "zip"))
            found += sorted(os.listdir(os.path.join(root, "zip")))
            with open(os.path.join(root, "tar", "in-tar.txt")) as f:
                assert f.read() == "héllo wörld\n" * 100
        return found
