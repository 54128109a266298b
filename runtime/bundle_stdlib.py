"""Packs CPython's pure-Python standard library into a deterministic zip of .pyc files.

Usage: bundle_stdlib.py LIB_DIR OUT_ZIP BUILD_ROOT

BUILD_ROOT (the build cache directory) is replaced by `/build` wherever the sources name it (the
generated sysconfig data records the build's paths), so the bundle does not depend on where it
was built.

Run it with the Python 3.13 the runtime was cross-built with, so the bytecode matches. Tests, GUI
toolkits, build and packaging tools, and modules whose C part the wasm build lacks are left out.
"""

import importlib._bootstrap_external as bootstrap
import importlib.util
import pathlib
import sys
import zipfile

# Top-level packages and modules left out, by reason.
EXCLUDED = {
    # tests and test data
    "test", "__hello__.py", "__phello__", "idlelib",
    # GUI toolkits and the interactive console
    "tkinter", "turtle.py", "turtledemo", "_pyrepl",
    # build and packaging tools
    "ensurepip", "venv",
    # documentation data for pydoc's help()
    "pydoc_data",
    # need C modules absent from the wasm build (_ctypes, _curses, _sqlite3, _multiprocessing)
    "ctypes", "curses", "sqlite3", "multiprocessing",
}
EPOCH = (1980, 1, 1, 0, 0, 0)


def included(relative: pathlib.PurePosixPath) -> bool:
    parts = relative.parts
    if parts[0] in EXCLUDED or "__pycache__" in parts:
        return False
    # Test packages nested inside other packages.
    return not any(p in ("test", "tests", "idle_test") for p in parts[:-1])


def main(lib: pathlib.Path, out: pathlib.Path, build_root: str) -> None:
    sources = sorted(
        p.relative_to(lib).as_posix()
        for p in lib.rglob("*.py")
        if included(pathlib.PurePosixPath(p.relative_to(lib).as_posix()))
    )
    total_source = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for relative in sources:
            source = (lib / relative).read_bytes().replace(build_root.encode(), b"/build")
            total_source += len(source)
            code = compile(source, relative, "exec", dont_inherit=True, optimize=0)
            pyc = bootstrap._code_to_hash_pyc(code, importlib.util.source_hash(source), checked=False)
            info = zipfile.ZipInfo(relative + "c", date_time=EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            archive.writestr(info, pyc, compresslevel=9)
    print(f"{len(sources)} modules, {total_source} bytes of source, {out.stat().st_size} bytes zipped")


if __name__ == "__main__":
    if sys.version_info[:2] != (3, 13):
        sys.exit(f"bundle_stdlib.py needs Python 3.13 (the runtime's version), not {sys.version}")
    main(pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), sys.argv[3].rstrip("/"))
