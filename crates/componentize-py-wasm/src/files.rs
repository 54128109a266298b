//! The CLI's view of the file system, over the in-memory files a JS caller passes: the same
//! [`Files`] tree `crates/componentize-py/src/main.rs` reads from disk, so that the core sees the
//! same keys and contents (and reports the same errors) as natively.

use anyhow::{Result, bail};
use componentize_py_core::Files;
use componentize_py_core::libraries::CONFIG_FILE;

/// The caller's files, keyed by normalised `/`-separated relative paths.
pub struct Source(Files);

/// Normalises a caller's path: `/` separators, no leading `./` or `/`, no trailing `/`, `.` for
/// the root as the empty path.
fn normalize(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut parts = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            part => parts.push(part),
        }
    }
    parts.join("/")
}

/// The key of a path in the core's tree, as the CLI's `path_key` computes it from the path as
/// given: without leading `./` and trailing `/`.
pub fn path_key(path: &str) -> String {
    let text = path.replace('\\', "/");
    text.trim_start_matches("./")
        .trim_end_matches('/')
        .to_string()
}

/// Whether a path below a directory is skipped by the CLI's tree walk: a component starting with
/// `.`, or named `__pycache__` or `node_modules`.
fn skipped(relative: &str) -> bool {
    relative
        .split('/')
        .any(|name| name.starts_with('.') || name == "__pycache__" || name == "node_modules")
}

/// A file name's extension as `Path::extension` sees it.
fn extension(name: &str) -> Option<&str> {
    match name.rfind('.') {
        Some(0) | None => None,
        Some(i) => Some(&name[i + 1..]),
    }
}

impl Source {
    /// Wraps the caller's files, normalising their paths.
    pub fn new(files: impl IntoIterator<Item = (String, Vec<u8>)>) -> Self {
        Self(
            files
                .into_iter()
                .map(|(path, contents)| (normalize(&path), contents))
                .collect(),
        )
    }

    fn is_file(&self, path: &str) -> bool {
        !path.is_empty() && self.0.contains_key(path)
    }

    fn is_dir(&self, path: &str) -> bool {
        path.is_empty() || self.below(path).next().is_some()
    }

    /// The files below directory `path`, as (path relative to it, contents), sorted.
    fn below<'a>(&'a self, path: &str) -> impl Iterator<Item = (&'a str, &'a Vec<u8>)> + 'a {
        let prefix = if path.is_empty() {
            String::new()
        } else {
            format!("{path}/")
        };
        self.0
            .range(prefix.clone()..)
            .map_while(move |(key, contents)| {
                key.strip_prefix(&prefix)
                    .map(|relative| (relative, contents))
            })
    }

    /// Adds the WIT named by `-d` paths to `files` as the CLI does; returns the keys the core
    /// loads them by.
    pub fn read_wit(&self, paths: &[String], files: &mut Files) -> Vec<String> {
        let mut keys = Vec::new();
        for path in paths {
            let key = path_key(path);
            let source = normalize(path);
            if self.is_file(&source) {
                files.insert(key.clone(), self.0[&source].clone());
            } else if self.is_dir(&source) {
                for (relative, contents) in self.below(&source) {
                    let name = relative.rsplit('/').next().unwrap_or(relative);
                    if !skipped(relative) && extension(name) == Some("wit") {
                        files.insert(join(&key, relative), contents.clone());
                    }
                }
            }
            keys.push(key);
        }
        keys
    }

    /// Adds the Python path directories to `files` under `<python-path-{i}>` as the CLI does;
    /// returns those roots.
    pub fn read_python_path(&self, dirs: &[String], files: &mut Files) -> Result<Vec<String>> {
        let mut roots = Vec::new();
        for (i, dir) in dirs.iter().enumerate() {
            let source = normalize(dir);
            if self.is_file(&source) || !self.is_dir(&source) {
                bail!("Python path `{dir}` is not a directory");
            }
            let root = format!("<python-path-{i}>");
            for (relative, contents) in self.below(&source) {
                if !skipped(relative) && self.is_app_file(&join(&source, relative)) {
                    files.insert(format!("{root}/{relative}"), contents.clone());
                }
            }
            roots.push(root);
        }
        Ok(roots)
    }

    /// Python sources, data files inside packages, and the WIT of libraries that ship it (the
    /// CLI's `is_app_file`).
    fn is_app_file(&self, path: &str) -> bool {
        let (parent, name) = path.rsplit_once('/').unwrap_or(("", path));
        if name == CONFIG_FILE {
            return true;
        }
        match extension(name) {
            Some("py" | "wit") => true,
            Some("pyc" | "so" | "wasm" | "pyd" | "dylib") => false,
            _ => self.0.contains_key(&join(parent, "__init__.py")),
        }
    }
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(paths: &[&str]) -> Source {
        Source::new(paths.iter().map(|p| (p.to_string(), p.as_bytes().to_vec())))
    }

    #[test]
    fn wit_and_python_path_like_the_cli() {
        let src = source(&[
            "./app.py",
            "wit/world.wit",
            "wit/deps/a/a.wit",
            "wit/.hidden.wit",
            "wit/notes.md",
            "pkg/__init__.py",
            "pkg/data.txt",
            "pkg/__pycache__/x.py",
            "other/readme.txt",
            "lib.so",
        ]);
        let mut files = Files::new();
        let keys = src.read_wit(&["./wit/".into()], &mut files);
        assert_eq!(keys, ["wit"]);
        let roots = src.read_python_path(&[".".into()], &mut files).unwrap();
        assert_eq!(roots, ["<python-path-0>"]);
        let got: Vec<&str> = files.keys().map(String::as_str).collect();
        assert_eq!(
            got,
            [
                "<python-path-0>/app.py",
                "<python-path-0>/pkg/__init__.py",
                "<python-path-0>/pkg/data.txt",
                "<python-path-0>/wit/deps/a/a.wit",
                "<python-path-0>/wit/world.wit",
                "wit/deps/a/a.wit",
                "wit/world.wit",
            ]
        );
        let error = src
            .read_python_path(&["missing".into()], &mut files)
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "Python path `missing` is not a directory"
        );
    }
}
