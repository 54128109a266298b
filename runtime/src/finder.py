# The meta-path finder and loader for modules held in memory bundles, and the path-entry finder
# for paths inside them. Runs in the namespace of the `componentize_py_runtime` module, which
# provides the _bundle_* functions.
import _imp
import marshal
import sys
import _frozen_importlib as _bootstrap
import _frozen_importlib_external as _external

_PYC_HEADER = 16

# The guest paths of the bundles, set by install().
_BUNDLES = ()


def _in_bundle(path):
    """Whether `path` is a bundle or inside one."""
    return isinstance(path, str) and any(
        path == bundle or path.startswith(bundle + "/") for bundle in _BUNDLES
    )


def _module_spec(fullname, origin, is_package):
    spec = _bootstrap.ModuleSpec(fullname, BundleFinder, origin=origin, is_package=is_package)
    spec.has_location = True
    if is_package:
        spec.submodule_search_locations = [origin.rpartition("/")[0]]
    return spec


def _namespace_spec(fullname, portions, path):
    """The spec of namespace package `fullname` (PEP 420) made of `portions`, the directories of
    that name in the bundles, unless a module or regular package of that name lies on the rest of
    the search path (the file system entries of `path`, or of sys.path for a top-level name),
    which wins over namespace portions; namespace portions found there join the bundles' ones."""
    search = [p for p in (sys.path if path is None else path) if not _in_bundle(p)]
    if search:
        spec = _external.PathFinder.find_spec(fullname, search)
        if spec is not None:
            if spec.loader is not None:
                return spec
            portions = portions + list(spec.submodule_search_locations or ())
    spec = _bootstrap.ModuleSpec(fullname, None, is_package=True)
    spec.submodule_search_locations = portions
    return spec


class BundleFinder:
    """Finds and loads modules from the zip bundles the runtime read into memory at init."""

    @classmethod
    def find_spec(cls, fullname, path=None, target=None):
        # Built-in and frozen modules win over the bundles, as over sys.path in CPython (their
        # finders come after this one).
        if _imp.is_builtin(fullname) or _imp.is_frozen(fullname):
            return None
        found = _bundle_find(fullname)
        if found is not None:
            return _module_spec(fullname, *found)
        # A directory without __init__ is a namespace package.
        portions = _bundle_namespace(fullname)
        return _namespace_spec(fullname, portions, path) if portions else None

    @classmethod
    def create_module(cls, spec):
        return None

    # exec and compile go through _call_with_frames_removed, as in CPython's loaders, so that
    # tracebacks of errors in the module (or in its source) leave the import system's frames out.
    @classmethod
    def exec_module(cls, module):
        code = cls._code(module.__spec__.origin)
        _bootstrap._call_with_frames_removed(exec, code, module.__dict__)
        fix = _AFTER_EXEC.get(module.__name__)
        if fix is not None:
            fix(module)

    @classmethod
    def _code(cls, origin):
        data = _bundle_read(origin)
        if data is None:
            raise ImportError(f"{origin} vanished from its bundle", path=origin)
        if origin.endswith(".pyc"):
            code = marshal.loads(memoryview(data)[_PYC_HEADER:])
            # The bytecode names the file it was compiled from on the build machine; name the
            # source's place in the bundle instead, as CPython does for cached bytecode.
            _imp._fix_co_filename(code, origin[:-1])
            return code
        return _bootstrap._call_with_frames_removed(
            compile, data, origin, "exec", dont_inherit=True
        )

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
    def get_resource_reader(cls, fullname):
        """What importlib.resources reads a bundled package's files through."""
        found = _bundle_find(fullname)
        if found is None or not found[1]:
            return None
        return _resource_reader_class()(found[0].rpartition("/")[0])

    @classmethod
    def get_filename(cls, fullname):
        found = _bundle_find(fullname)
        if found is None:
            raise ImportError(f"no module named {fullname!r}", name=fullname)
        return found[0]

    @classmethod
    def find_distributions(cls, context=None):
        """The distributions whose `.dist-info` directories lie at the top of the bundles (the
        wheels the componentizer installed), for importlib.metadata: versions, entry points,
        files."""
        return _bundle_distributions(getattr(context, "name", None))


def _normalize(name):
    """A distribution name as `.dist-info` directories spell it (PEP 503, then `_`)."""
    out = []
    for char in name.lower():
        if char in "-_.":
            if not out or out[-1] != "_":
                out.append("_")
        else:
            out.append(char)
    return "".join(out)


def _bundle_distributions(name):
    from importlib.metadata import Distribution

    wanted = None if name is None else _normalize(name)
    reader = _resource_reader_class()

    class BundleDistribution(Distribution):
        """An installed distribution inside a bundle."""

        def __init__(self, bundle, info):
            self._bundle = bundle
            self._info = f"{bundle}/{info}"

        def read_text(self, filename):
            data = _bundle_read(f"{self._info}/{filename}")
            return None if data is None else data.decode("utf-8")

        def locate_file(self, path):
            return reader(self._bundle).files().joinpath(str(path))

    for bundle in _BUNDLES:
        for entry, is_dir in _bundle_children(bundle):
            if not is_dir or not entry.endswith(".dist-info"):
                continue
            if wanted is None or _normalize(entry[: -len(".dist-info")].partition("-")[0]) == wanted:
                yield BundleDistribution(bundle, entry)


def _selector_loops_without_self_pipe(module):
    """asyncio's selector event loops make a socket pair at creation (the "self-pipe" through
    which other threads and signal handlers wake them), and WASI has no sockets, so asyncio.run()
    would fail. A component has neither threads nor signal handlers: do without it."""
    loop = getattr(module, "BaseSelectorEventLoop", None)
    if loop is None:
        return

    def _make_self_pipe(self):
        self._ssock = self._csock = None

    loop._make_self_pipe = _make_self_pipe
    loop._close_self_pipe = lambda self: None
    loop._write_to_self = lambda self: None


# Fix-ups run after a standard-library module is executed, by module name.
_AFTER_EXEC = {"asyncio.selector_events": _selector_loops_without_self_pipe}

_RESOURCE_READER = None


def _resource_reader_class():
    """The importlib.resources reader over a directory of a bundle, defined on first use (so
    apps that read no resources never import importlib.resources)."""
    global _RESOURCE_READER
    if _RESOURCE_READER is not None:
        return _RESOURCE_READER
    import io
    from importlib.resources import abc

    class BundleResource(abc.Traversable):
        """A file or directory inside a bundle."""

        def __init__(self, path):
            self._path = path

        @property
        def name(self):
            return self._path.rpartition("/")[2]

        def is_dir(self):
            return _bundle_is_dir(self._path)

        def is_file(self):
            return _bundle_is_file(self._path)

        def iterdir(self):
            if not self.is_dir():
                raise NotADirectoryError(self._path)
            children = _bundle_children(self._path)
            return iter([BundleResource(f"{self._path}/{name}") for name, _ in children])

        def joinpath(self, *descendants):
            path = self._path
            for descendant in descendants:
                for part in str(descendant).split("/"):
                    if part == "..":
                        path = path.rpartition("/")[0]
                    elif part not in ("", "."):
                        path = f"{path}/{part}"
            return BundleResource(path)

        __truediv__ = joinpath

        def open(self, mode="r", *args, **kwargs):
            if mode not in ("r", "rt", "rb"):
                raise ValueError(f"bundled resources are read-only: mode {mode!r}")
            data = _bundle_read(self._path)
            if data is None:
                raise (IsADirectoryError if self.is_dir() else FileNotFoundError)(self._path)
            stream = io.BytesIO(data)
            return stream if "b" in mode else io.TextIOWrapper(stream, *args, **kwargs)

        def __eq__(self, other):
            return isinstance(other, BundleResource) and other._path == self._path

        def __hash__(self):
            return hash(self._path)

        def __repr__(self):
            return f"BundleResource({self._path!r})"

    import contextlib
    import pathlib
    from importlib.resources import as_file

    @as_file.register(BundleResource)
    @contextlib.contextmanager
    def _bundle_resource_as_file(resource):
        # A bundled file's path is its place in the bundle, as for `__file__`: the bundle is its
        # only copy, and a component has no temporary directory to extract it to (certifi's
        # where() runs this at import time, so importing requests needs it).
        yield pathlib.Path(resource._path)

    class BundleReader(abc.TraversableResources):
        def __init__(self, directory):
            self._directory = directory

        def files(self):
            return BundleResource(self._directory)

    _RESOURCE_READER = BundleReader
    return BundleReader


class BundlePath:
    """The path-entry finder for a bundle or a directory inside one, which PathFinder and
    pkgutil use for such entries of sys.path or of a package's __path__ (a module that puts its
    own directory on sys.path, pkgutil.iter_modules over a package). It serves them from memory,
    so they work at run time too, where the bundle files are gone, and zipimport never reads the
    bundles."""

    def __init__(self, path):
        self.path = path.rstrip("/")

    def find_spec(self, fullname, target=None):
        name = fullname.rpartition(".")[2]
        found = _bundle_find_in(self.path, name)
        if found is not None:
            return _module_spec(fullname, *found)
        portion = f"{self.path}/{name}"
        if not _bundle_is_dir(portion):
            return None
        spec = _bootstrap.ModuleSpec(fullname, None)
        spec.submodule_search_locations = [portion]
        return spec

    def invalidate_caches(self):
        pass

    def iter_modules(self, prefix=""):
        for name, is_package in _bundle_list(self.path):
            yield prefix + name, is_package

    def __repr__(self):
        return f"BundlePath({self.path!r})"


def _path_hook(path):
    if _in_bundle(path):
        return BundlePath(path)
    raise ImportError("not inside a bundle", path=path)


def install():
    """Puts the finder first, claims paths inside the bundles for BundlePath, and forgets the
    bundle paths zipimport served during startup (and the bundle directories it read)."""
    global _BUNDLES
    _BUNDLES = tuple(_bundle_paths())
    sys.meta_path.insert(0, BundleFinder)
    sys.path_hooks.insert(0, _path_hook)
    sys.path[:] = [p for p in sys.path if p not in _BUNDLES]
    sys.path_importer_cache.clear()
    zipimport = sys.modules.get("zipimport")
    for bundle in _BUNDLES:
        getattr(zipimport, "_zip_directory_cache", {}).pop(bundle, None)
    for module in list(sys.modules.values()):
        spec = getattr(module, "__spec__", None)
        if spec is not None and type(spec.loader).__name__ == "zipimporter":
            spec.loader = BundleFinder
            module.__loader__ = BundleFinder
