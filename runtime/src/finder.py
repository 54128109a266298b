# The meta-path finder and loader for modules held in memory bundles. Runs in the namespace of
# the `componentize_py_runtime` module, which provides _bundle_find, _bundle_read, _bundle_is_dir.
import marshal
import sys
import _frozen_importlib as _bootstrap

_PYC_HEADER = 16


class BundleFinder:
    """Finds and loads modules from the zip bundles the runtime read into memory at init."""

    @classmethod
    def find_spec(cls, fullname, path=None, target=None):
        found = _bundle_find(fullname)
        if found is None:
            return None
        origin, is_package = found
        spec = _bootstrap.ModuleSpec(fullname, cls, origin=origin, is_package=is_package)
        spec.has_location = True
        if is_package:
            spec.submodule_search_locations = [origin.rpartition("/")[0]]
        return spec

    @classmethod
    def create_module(cls, spec):
        return None

    @classmethod
    def exec_module(cls, module):
        code = cls._code(module.__spec__.origin)
        exec(code, module.__dict__)

    @classmethod
    def _code(cls, origin):
        data = _bundle_read(origin)
        if data is None:
            raise ImportError(f"{origin} vanished from its bundle", path=origin)
        if origin.endswith(".pyc"):
            return marshal.loads(memoryview(data)[_PYC_HEADER:])
        return compile(data, origin, "exec", dont_inherit=True)

    @classmethod
    def get_code(cls, fullname):
        found = _bundle_find(fullname)
        return None if found is None else cls._code(found[0])

    @classmethod
    def get_source(cls, fullname):
        found = _bundle_find(fullname)
        if found is None or not found[0].endswith(".py"):
            return None
        return _bundle_read(found[0]).decode("utf-8")

    @classmethod
    def is_package(cls, fullname):
        found = _bundle_find(fullname)
        if found is None:
            raise ImportError(f"no module named {fullname!r}", name=fullname)
        return found[1]

    @classmethod
    def get_data(cls, path):
        data = _bundle_read(path)
        if data is None:
            raise FileNotFoundError(path)
        return data

    @classmethod
    def get_filename(cls, fullname):
        found = _bundle_find(fullname)
        if found is None:
            raise ImportError(f"no module named {fullname!r}", name=fullname)
        return found[0]


def install():
    """Puts the finder first and forgets the bundle paths zipimport served during startup."""
    bundles = set(_bundle_paths())
    sys.meta_path.insert(0, BundleFinder)
    sys.path[:] = [p for p in sys.path if p not in bundles]
    sys.path_importer_cache.clear()
    for module in list(sys.modules.values()):
        spec = getattr(module, "__spec__", None)
        if spec is not None and type(spec.loader).__name__ == "zipimporter":
            spec.loader = BundleFinder
            module.__loader__ = BundleFinder
