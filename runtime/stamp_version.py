"""Appends a custom section naming the embedded CPython's version to a wasm module.

Usage: stamp_version.py MODULE VERSION

The section, `componentize-py:python-version`, holds the version as UTF-8 (e.g. `3.14.7`); the
componentizer reads it for `--version`, so the runtime describes itself wherever it is loaded.
"""

import pathlib
import sys

SECTION = b"componentize-py:python-version"


def leb128(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def main(module: pathlib.Path, version: str) -> None:
    data = module.read_bytes()
    if data[:4] != b"\0asm":
        sys.exit(f"{module} is not a wasm module")
    body = leb128(len(SECTION)) + SECTION + version.encode()
    module.write_bytes(data + b"\0" + leb128(len(body)) + body)


if __name__ == "__main__":
    main(pathlib.Path(sys.argv[1]), sys.argv[2])
