//! Module bundles: zip archives of Python modules read into memory at init and served from there
//! by a meta-path finder, so that imports work at run time with no filesystem.

use std::io::{Cursor, Read};
use std::sync::Mutex;

use zip::ZipArchive;

/// One zip archive held in memory, with the guest path it was read from.
struct Bundle {
    path: String,
    archive: ZipArchive<Cursor<Vec<u8>>>,
}

static BUNDLES: Mutex<Vec<Bundle>> = Mutex::new(Vec::new());

/// Reads the archive at guest path `path` into memory and adds it to the search order.
pub fn load(path: &str) -> Result<(), String> {
    let data = std::fs::read(path).map_err(|e| format!("cannot read bundle {path}: {e}"))?;
    let archive = ZipArchive::new(Cursor::new(data))
        .map_err(|e| format!("bundle {path} is not a zip archive: {e}"))?;
    BUNDLES.lock().unwrap().push(Bundle {
        path: path.to_string(),
        archive,
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
    let candidates = [
        (format!("{base}/__init__.pyc"), true),
        (format!("{base}/__init__.py"), true),
        (format!("{base}.pyc"), false),
        (format!("{base}.py"), false),
    ];
    let bundles = BUNDLES.lock().unwrap();
    bundles.iter().find_map(|bundle| {
        candidates
            .iter()
            .find(|(entry, _)| bundle.archive.index_for_name(entry).is_some())
            .map(|(entry, package)| (format!("{}/{entry}", bundle.path), *package))
    })
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
