# Stale bindings shipped with the library: the build replaces this package.
raise ImportError("stale bindings were not replaced")
