"""Packs CPython's pure-Python standard library into a deterministic zip.

Usage: bundle_stdlib.py LIB_DIR OUT_ZIP BUILD_ROOT

Modules that nearly every app imports at build time (what the generated bindings and the runtime
import, and what those import) go in as .pyc, so a build never compiles them. Every other module
goes in as source, which deflates to about 60 % of the size of its bytecode; it is compiled where it
is first imported: at build time when the app imports it at init (then it is in the snapshot), at
run time otherwise. Source also gives tracebacks their lines.

BUILD_ROOT (the build cache directory) is replaced by `/build` wherever the sources name it (the
generated sysconfig data records the build's paths), so the bundle does not depend on where it
was built.

Run it with the native Python the runtime was cross-built with, so the bytecode matches. Tests, GUI
toolkits, build and packaging tools, and modules whose C part the wasm build lacks are left out.
"""

import importlib._bootstrap_external as bootstrap
import importlib.util
import pathlib
import subprocess
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
    # need C modules absent from the wasm build (_ctypes, _curses, _multiprocessing)
    "ctypes", "curses", "multiprocessing",
}
EPOCH = (1980, 1, 1, 0, 0, 0)

# What generated bindings import (`wit_world`, `componentize_py_types`, and `poll_loop` for
# wasi:http worlds), the codecs CPython loads at startup, and json, which most apps that exchange
# data use. These and everything they import are bundled as bytecode.
PRECOMPILED_ROOTS = (
    "__future__", "abc", "asyncio", "dataclasses", "enum", "types", "typing", "weakref",
    "encodings", "encodings.aliases", "encodings.ascii", "encodings.latin_1", "encodings.utf_8",
    "json",
)


def included(relative: pathlib.PurePosixPath) -> bool:
    parts = relative.parts
    if parts[0] in EXCLUDED or "__pycache__" in parts:
        return False
    # Test packages nested inside other packages.
    return not any(p in ("test", "tests", "idle_test") for p in parts[:-1])


def precompiled_modules() -> set[str]:
    """The modules PRECOMPILED_ROOTS import, found by importing them in a fresh interpreter of the
    same version (isolated, without site), so the set does not depend on the build machine."""
    script = f"import sys\nfor m in {PRECOMPILED_ROOTS!r}: __import__(m)\nprint(*sorted(sys.modules))"
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", script], check=True, capture_output=True, text=True
    )
    return set(result.stdout.split())


def module_name(relative: str) -> str:
    """The dotted module name of a source path inside the library (`a/b/__init__.py` is `a.b`)."""
    parts = relative.removesuffix(".py").split("/")
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def main(lib: pathlib.Path, out: pathlib.Path, build_root: str) -> None:
    precompiled = precompiled_modules()
    sources = sorted(
        p.relative_to(lib).as_posix()
        for p in lib.rglob("*.py")
        if included(pathlib.PurePosixPath(p.relative_to(lib).as_posix()))
    )
    total_source = 0
    bytecode = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for relative in sources:
            source = (lib / relative).read_bytes().replace(build_root.encode(), b"/build")
            total_source += len(source)
            if module_name(relative) in precompiled:
                code = compile(source, relative, "exec", dont_inherit=True, optimize=0)
                hash_ = importlib.util.source_hash(source)
                entry, data = relative + "c", bootstrap._code_to_hash_pyc(code, hash_, checked=False)
                bytecode += 1
            else:
                entry, data = relative, source
            info = zipfile.ZipInfo(entry, date_time=EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            archive.writestr(info, data, compresslevel=9)
    print(
        f"{len(sources)} modules ({bytecode} as .pyc, the rest as source), "
        f"{total_source} bytes of source, {out.stat().st_size} bytes zipped"
    )


if __name__ == "__main__":
    main(pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), sys.argv[3].rstrip("/"))
