//! Module bundles: zip archives of Python modules read into memory at init and served from there
//! by a meta-path finder, so that imports work at run time with no filesystem.

use std::collections::HashSet;
use std::io::{Cursor, Read};
use std::sync::Mutex;

use zip::ZipArchive;

/// One zip archive held in memory, with the guest path it was read from.
struct Bundle {
    path: String,
    archive: ZipArchive<Cursor<Vec<u8>>>,
    /// Every directory that holds an entry (`a`, `a/b` for `a/b/c.py`), for namespace packages.
    dirs: HashSet<String>,
}

static BUNDLES: Mutex<Vec<Bundle>> = Mutex::new(Vec::new());

/// Reads the archive at guest path `path` into memory and adds it to the search order.
pub fn load(path: &str) -> Result<(), String> {
    let data = std::fs::read(path).map_err(|e| format!("cannot read bundle {path}: {e}"))?;
    let archive = ZipArchive::new(Cursor::new(data))
        .map_err(|e| format!("bundle {path} is not a zip archive: {e}"))?;
    let mut dirs = HashSet::new();
    for name in archive.file_names().filter_map(Result::ok) {
        let mut rest = name.trim_end_matches('/');
        if name.ends_with('/') {
            dirs.insert(rest.to_string());
        }
        while let Some((dir, _)) = rest.rsplit_once('/') {
            if !dirs.insert(dir.to_string()) {
                break;
            }
            rest = dir;
        }
    }
    BUNDLES.lock().unwrap().push(Bundle {
        path: path.to_string(),
        archive,
        dirs,
    });
    Ok(())
}

/// The guest paths of the loaded bundles.
pub fn paths() -> Vec<String> {
    BUNDLES
        .lock()
        .unwrap()
        .iter()
        .map(|b| b.path.clone())
        .collect()
}

/// Finds module `fullname`: its origin path (bundle path + entry) and whether it is a package.
pub fn find(fullname: &str) -> Option<(String, bool)> {
    let base = fullname.replace('.', "/");
    let bundles = BUNDLES.lock().unwrap();
    bundles.iter().find_map(|bundle| bundle.module(&base))
}

/// Finds module `name` (one identifier) in directory `dir` (a bundle path, or a bundle path and
/// a directory inside it): its origin and whether it is a package.
pub fn find_in(dir: &str, name: &str) -> Option<(String, bool)> {
    let bundles = BUNDLES.lock().unwrap();
    let (bundle, inner) = locate(&bundles, dir)?;
    bundle.module(&join(inner, name))
}

/// Whether `path` (a bundle path, or a bundle path and something inside it) is a directory in
/// its bundle.
pub fn is_dir(path: &str) -> bool {
    let bundles = BUNDLES.lock().unwrap();
    locate(&bundles, path).is_some_and(|(bundle, inner)| bundle.is_dir(inner))
}

/// The modules and packages directly inside directory `dir` of a bundle: `(name, is_package)`,
/// sorted by name. As `pkgutil` on a file system, a directory counts only if it holds an
/// `__init__` (namespace packages are not listed).
pub fn list(dir: &str) -> Vec<(String, bool)> {
    let bundles = BUNDLES.lock().unwrap();
    let Some((bundle, inner)) = locate(&bundles, dir) else {
        return Vec::new();
    };
    let mut found = std::collections::BTreeMap::new();
    for (name, is_dir) in bundle.children(inner) {
        let (name, is_package) = if is_dir {
            match bundle.module(&join(inner, &name)) {
                Some((_, true)) => (name, true),
                _ => continue,
            }
        } else {
            match name.rsplit_once('.') {
                Some((stem, "py" | "pyc")) if stem != "__init__" => (stem.to_string(), false),
                _ => continue,
            }
        };
        if !name.contains('.') {
            *found.entry(name).or_insert(false) |= is_package;
        }
    }
    found.into_iter().collect()
}

/// Everything directly inside directory `dir` of a bundle: `(name, is_dir)`, sorted by name.
pub fn children(dir: &str) -> Vec<(String, bool)> {
    let bundles = BUNDLES.lock().unwrap();
    locate(&bundles, dir).map_or_else(Vec::new, |(bundle, inner)| bundle.children(inner))
}

/// Whether `path` (a bundle path and an entry) is a file in its bundle.
pub fn is_file(path: &str) -> bool {
    let bundles = BUNDLES.lock().unwrap();
    locate(&bundles, path)
        .is_some_and(|(bundle, inner)| bundle.archive.index_for_name(inner).is_some())
}

/// The bundle that `path` is in and the part of `path` inside it (empty for the bundle itself).
fn locate<'a, 'p>(bundles: &'a [Bundle], path: &'p str) -> Option<(&'a Bundle, &'p str)> {
    let path = path.trim_end_matches('/');
    bundles.iter().find_map(|bundle| {
        let rest = path.strip_prefix(bundle.path.as_str())?;
        if rest.is_empty() {
            Some((bundle, rest))
        } else {
            rest.strip_prefix('/').map(|inner| (bundle, inner))
        }
    })
}

/// `dir/name`, or `name` at the top.
fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

impl Bundle {
    /// The module or package at `base` (`a/b` for `a.b`): its origin and whether it is a package.
    fn module(&self, base: &str) -> Option<(String, bool)> {
        let candidates = [
            (format!("{base}/__init__.pyc"), true),
            (format!("{base}/__init__.py"), true),
            (format!("{base}.pyc"), false),
            (format!("{base}.py"), false),
        ];
        candidates
            .iter()
            .find(|(entry, _)| self.archive.index_for_name(entry).is_some())
            .map(|(entry, package)| (format!("{}/{entry}", self.path), *package))
    }

    /// Everything directly inside directory `inner` (empty for the root): `(name, is_dir)`,
    /// sorted by name.
    fn children(&self, inner: &str) -> Vec<(String, bool)> {
        let prefix = if inner.is_empty() {
            String::new()
        } else {
            format!("{inner}/")
        };
        let mut found = std::collections::BTreeMap::new();
        for entry in self.archive.file_names().filter_map(Result::ok) {
            let Some(rest) = entry.strip_prefix(&prefix) else {
                continue;
            };
            let (name, is_dir) = match rest.split_once('/') {
                Some((dir, _)) => (dir, true),
                None => (rest, false),
            };
            if !name.is_empty() {
                *found.entry(name.to_string()).or_insert(false) |= is_dir;
            }
        }
        found.into_iter().collect()
    }

    /// Whether `inner` (a path inside the bundle, empty for its root) is a directory.
    fn is_dir(&self, inner: &str) -> bool {
        inner.is_empty() || self.dirs.contains(inner)
    }
}

/// The portions of namespace package `fullname`: the directory `fullname` names (bundle path +
/// directory) in each bundle that has it, in search order. Only meaningful when [`find`] found
/// no module or regular package of that name.
pub fn namespace_portions(fullname: &str) -> Vec<String> {
    let base = fullname.replace('.', "/");
    BUNDLES
        .lock()
        .unwrap()
        .iter()
        .filter(|bundle| bundle.is_dir(&base))
        .map(|bundle| format!("{}/{base}", bundle.path))
        .collect()
}

/// The uncompressed contents of `path` (bundle path + entry), if a bundle holds it.
pub fn read(path: &str) -> Option<Vec<u8>> {
    let mut bundles = BUNDLES.lock().unwrap();
    bundles.iter_mut().find_map(|bundle| {
        let entry = split(&bundle.path, path)?.to_string();
        let mut file = bundle.archive.by_name(&entry).ok()?;
        let mut data = Vec::with_capacity(file.size() as usize);
        file.read_to_end(&mut data).ok()?;
        Some(data)
    })
}

/// The entry name of `path` inside the bundle at `bundle`, if it is inside it.
fn split<'a>(bundle: &str, path: &'a str) -> Option<&'a str> {
    path.strip_prefix(bundle)?.strip_prefix('/')
}
