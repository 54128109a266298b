//! The app bundle: which files go in (the generated bindings and the app's files from the Python
//! path) and the deflated zip of them, with sorted entries and fixed timestamps so identical
//! inputs give identical bytes.

use std::collections::BTreeMap;
use std::io::Write;

use anyhow::{Result, bail};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use crate::bindings::HOST_RUNTIME_PATH;
use crate::files::{Files, dir_prefix};
use crate::libraries::CONFIG_FILE;

/// The bundle's files (archive path → contents): the generated `bindings` except the host
/// stand-in for the runtime module (a component never imports it), then each file below the
/// `python_path` directories, the first directory winning, except what only the build reads (WIT
/// files, library configurations) and `__pycache__` and hidden entries.
pub fn select(
    files: &Files,
    python_path: &[String],
    bindings: BTreeMap<String, String>,
) -> BTreeMap<String, Vec<u8>> {
    let mut selected: BTreeMap<String, Vec<u8>> = bindings
        .into_iter()
        .filter(|(path, _)| path != HOST_RUNTIME_PATH)
        .map(|(path, text)| (path, text.into_bytes()))
        .collect();
    for dir in python_path {
        let prefix = dir_prefix(dir);
        for (path, contents) in files.range(prefix.clone()..) {
            let Some(relative) = path.strip_prefix(&prefix) else {
                break;
            };
            let build_only = relative.ends_with(".wit") || relative.ends_with(CONFIG_FILE);
            let hidden = relative
                .split('/')
                .any(|part| part == "__pycache__" || part.starts_with('.'));
            if !build_only && !hidden {
                selected
                    .entry(relative.to_string())
                    .or_insert_with(|| contents.clone());
            }
        }
    }
    selected
}

/// Replaces the files of `package` (a `/`-separated folder) with `replacement`.
pub fn replace_package(
    selected: &mut BTreeMap<String, Vec<u8>>,
    package: &str,
    replacement: impl IntoIterator<Item = (String, String)>,
) {
    let stale = format!("{package}/");
    selected.retain(|path, _| !path.starts_with(&stale));
    for (path, text) in replacement {
        selected.insert(path, text.into_bytes());
    }
}

/// Fails unless module `app` is among the `selected` files.
pub fn check_app_module(
    selected: &BTreeMap<String, Vec<u8>>,
    app: &str,
    python_path: &[String],
) -> Result<()> {
    let path = app.replace('.', "/");
    if !selected.contains_key(&format!("{path}.py"))
        && !selected.contains_key(&format!("{path}/__init__.py"))
    {
        bail!(
            "app module `{app}` not found: no {path}.py or {path}/__init__.py in the Python path ({})",
            python_path.join(", ")
        );
    }
    Ok(())
}

/// Zips `files` (archive path → contents).
pub fn zip(files: &BTreeMap<String, Vec<u8>>) -> Result<Vec<u8>> {
    let mut writer = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(9))
        .last_modified_time(DateTime::default())
        .unix_permissions(0o644);
    for (name, contents) in files {
        writer.start_file(name.as_str(), options)?;
        writer.write_all(contents)?;
    }
    Ok(writer.finish()?.into_inner())
}
