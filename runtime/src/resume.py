# Run once, on the first call after the snapshot: the process arguments and environment of the
# build were fixed and empty, so take the real ones. Runs in the namespace of the
# `componentize_py_runtime` module.
import os
import sys


def _resume(argv, environ):
    """Replaces sys.argv and os.environ with the run's arguments and environment, and reseeds
    `random` if the app imported it at build time (it was seeded from the build's fixed
    entropy, so every run would draw the same numbers)."""
    # A host that passes no arguments at all still leaves sys.argv[0], as CPython does.
    sys.argv[:] = argv or [""]
    data = os.environ._data
    data.clear()
    for key, value in environ:
        data[os.environ.encodekey(key)] = os.environ.encodevalue(value)
    instance = getattr(sys.modules.get("random"), "_inst", None)
    if instance is not None:
        instance.seed()
