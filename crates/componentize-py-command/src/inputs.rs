//! Reading a command's inputs: the WIT paths and the Python path, walked through a
//! [`FileSystem`] into the core's in-memory [`Files`] tree, in a fixed order so that every host
//! gives the core the same tree.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use componentize_py_core::libraries::CONFIG_FILE;
use componentize_py_core::{ComponentizeOptions, Files, Naming, WitOptions, WorldOptions};

use crate::args::{Cli, Componentize};

/// What a path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A regular file (or a link to one).
    File,
    /// A directory (or a link to one).
    Dir,
}

/// Read access to the files a command names.
pub trait FileSystem {
    /// What `path` is, or `None` if it does not exist.
    fn kind(&self, path: &Path) -> Option<Kind>;
    /// The contents of a file.
    fn read(&self, path: &Path) -> Result<Vec<u8>>;
    /// The names of a directory's entries, in any order.
    fn list(&self, path: &Path) -> Result<Vec<String>>;
}

/// Which WIT, which world, and how to name its bindings: the CLI's global flags, and what the JS
/// API's options say without a command line.
#[derive(Debug, Clone, Default)]
pub struct WorldFlags {
    /// `-d/--wit-path`.
    pub wit_path: Vec<PathBuf>,
    /// `-w/--world`.
    pub world: Vec<String>,
    /// `--features`.
    pub features: Vec<String>,
    /// `--all-features`.
    pub all_features: bool,
    /// `--import-interface-name`.
    pub import_interface_name: Vec<(String, String)>,
    /// `--export-interface-name`.
    pub export_interface_name: Vec<(String, String)>,
    /// `--world-module`.
    pub world_module: Option<String>,
    /// `--full-names`.
    pub full_names: bool,
}

impl From<&Cli> for WorldFlags {
    fn from(cli: &Cli) -> Self {
        Self {
            wit_path: cli.wit_path.clone(),
            world: cli.world.clone(),
            features: cli.features.clone(),
            all_features: cli.all_features,
            import_interface_name: cli.import_interface_name.clone(),
            export_interface_name: cli.export_interface_name.clone(),
            world_module: cli.world_module.clone(),
            full_names: cli.full_names,
        }
    }
}

/// Reads the WIT paths (`-d`) and builds the world options from the flags.
pub fn world(flags: &WorldFlags, fs: &impl FileSystem) -> Result<(Files, WorldOptions)> {
    let mut files = Files::new();
    let mut wit_paths = Vec::new();
    for path in &flags.wit_path {
        let key = path_key(path);
        if fs.kind(path).is_some() {
            read_tree(fs, path, &key, &mut files, &|p| {
                p.extension().is_some_and(|e| e == "wit")
            })?;
        }
        wit_paths.push(key);
    }
    let mut world = WorldOptions {
        wit: WitOptions {
            paths: wit_paths,
            worlds: flags.world.clone(),
            features: flags.features.clone(),
            all_features: flags.all_features,
            ..WitOptions::default()
        },
        naming: Naming {
            import_names: flags.import_interface_name.iter().cloned().collect(),
            export_names: flags.export_interface_name.iter().cloned().collect(),
            full_names: flags.full_names,
            ..Naming::default()
        },
    };
    if let Some(module) = &flags.world_module {
        world.naming.world_module = module.clone();
    }
    Ok((files, world))
}

/// Reads the Python path (`-p`, by default `.` and the site-packages of the virtual environment
/// `virtual_env`, the CLI's `$VIRTUAL_ENV`) into `files` and builds the options of `componentize`.
pub fn componentize(
    args: &Componentize,
    mut world: WorldOptions,
    files: &mut Files,
    fs: &impl FileSystem,
    virtual_env: Option<&str>,
) -> Result<ComponentizeOptions> {
    world.wit.intersect_world = args.intersect_world.clone();
    world.naming.app_module = args.app_name.clone();
    let mut python_path = args.python_path.clone();
    if python_path.is_empty() {
        python_path.push(PathBuf::from("."));
        python_path.extend(virtual_env.and_then(|venv| site_packages(fs, Path::new(venv))));
    }
    let mut roots = Vec::new();
    for (i, dir) in python_path.iter().enumerate() {
        if fs.kind(dir) != Some(Kind::Dir) {
            bail!("Python path `{}` is not a directory", dir.display());
        }
        let root = format!("<python-path-{i}>");
        read_tree(fs, dir, &root, files, &|p| is_app_file(fs, dir, p))?;
        roots.push(root);
    }
    Ok(ComponentizeOptions {
        world,
        python_path: roots,
        module_worlds: args.module_worlds.clone(),
        stub_wasi: args.stub_wasi,
    })
}

/// The key of a host path in the in-memory tree.
fn path_key(path: &Path) -> String {
    componentize_py_core::path_key(&path.to_string_lossy())
}

/// Reads the files under `path` accepted by `keep` into `files`, keyed below `key`, visiting
/// directory entries by name.
fn read_tree(
    fs: &impl FileSystem,
    path: &Path,
    key: &str,
    files: &mut Files,
    keep: &dyn Fn(&Path) -> bool,
) -> Result<()> {
    if fs.kind(path) == Some(Kind::File) {
        let contents = fs
            .read(path)
            .with_context(|| format!("reading {}", path.display()))?;
        files.insert(key.to_string(), contents);
        return Ok(());
    }
    let mut names = fs
        .list(path)
        .with_context(|| format!("reading {}", path.display()))?;
    names.sort();
    for name in names {
        if name.starts_with('.') || name == "__pycache__" || name == "node_modules" {
            continue;
        }
        let child = path.join(&name);
        let child_key = if key.is_empty() {
            name
        } else {
            format!("{key}/{name}")
        };
        match fs.kind(&child) {
            Some(Kind::Dir) => read_tree(fs, &child, &child_key, files, keep)?,
            Some(Kind::File) if keep(&child) => {
                let contents = fs
                    .read(&child)
                    .with_context(|| format!("reading {}", child.display()))?;
                files.insert(child_key, contents);
            }
            _ => {}
        }
    }
    Ok(())
}

/// Python sources, data files inside packages (at any depth below a folder with `__init__.py`
/// under `root`, the Python path entry), and the WIT of libraries that ship it.
fn is_app_file(fs: &impl FileSystem, root: &Path, path: &Path) -> bool {
    if path.file_name().is_some_and(|name| name == CONFIG_FILE) {
        return true;
    }
    match path.extension().and_then(|e| e.to_str()) {
        Some("py" | "wit") => true,
        Some("pyc" | "so" | "wasm" | "pyd" | "dylib") => false,
        _ => path
            .ancestors()
            .skip(1)
            .take_while(|dir| *dir != root && dir.starts_with(root))
            .any(|dir| fs.kind(&dir.join("__init__.py")) == Some(Kind::File)),
    }
}

/// `<venv>/lib/python*/site-packages`, if there is one.
fn site_packages(fs: &impl FileSystem, venv: &Path) -> Option<PathBuf> {
    let lib = venv.join("lib");
    let mut names = fs.list(&lib).ok()?;
    names.sort();
    names
        .into_iter()
        .map(|name| lib.join(name).join("site-packages"))
        .find(|dir| fs.kind(dir) == Some(Kind::Dir))
}

/// A [`FileSystem`] over an in-memory tree (`/`-separated paths relative to its root), for
/// callers that pass files rather than paths.
pub struct MemoryFileSystem(Files);

impl MemoryFileSystem {
    /// A tree of `(path, contents)`; `.` and empty path components are ignored.
    pub fn new(files: impl IntoIterator<Item = (String, Vec<u8>)>) -> Self {
        Self(
            files
                .into_iter()
                .map(|(path, contents)| (path_key(Path::new(&path)), contents))
                .collect(),
        )
    }
}

impl FileSystem for MemoryFileSystem {
    fn kind(&self, path: &Path) -> Option<Kind> {
        let key = path_key(path);
        if self.0.contains_key(&key) {
            return Some(Kind::File);
        }
        let prefix = if key.is_empty() {
            key
        } else {
            format!("{key}/")
        };
        let mut below = self.0.range(prefix.clone()..);
        below
            .next()
            .filter(|(k, _)| k.starts_with(&prefix))
            .map(|_| Kind::Dir)
    }

    fn read(&self, path: &Path) -> Result<Vec<u8>> {
        self.0
            .get(&path_key(path))
            .cloned()
            .with_context(|| format!("{} does not exist", path.display()))
    }

    fn list(&self, path: &Path) -> Result<Vec<String>> {
        let key = path_key(path);
        let prefix = if key.is_empty() {
            key
        } else {
            format!("{key}/")
        };
        let mut names: Vec<String> = Vec::new();
        for (k, _) in self.0.range(prefix.clone()..) {
            let Some(rest) = k.strip_prefix(&prefix) else {
                break;
            };
            let name = rest.split('/').next().unwrap_or(rest);
            if names.last().map(String::as_str) != Some(name) {
                names.push(name.to_string());
            }
        }
        if names.is_empty() {
            bail!("{} is not a directory", path.display());
        }
        Ok(names)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn memory(entries: &[&str]) -> MemoryFileSystem {
        MemoryFileSystem::new(
            entries
                .iter()
                .map(|p| (p.to_string(), p.as_bytes().to_vec())),
        )
    }

    #[test]
    fn reads_wit_and_python_path_like_the_cli() {
        let fs = memory(&[
            "./wit/world.wit",
            "wit/deps/dep/dep.wit",
            "wit/notes.txt",
            "app.py",
            "pkg/__init__.py",
            "pkg/data.json",
            "pkg/data/nested/deep.txt",
            "loose.json",
            "loose/data.json",
            "__pycache__/app.cpython-314.pyc",
            ".hidden/x.py",
            "sdk/componentize-py.toml",
        ]);
        let cli = Cli::parse_from(["componentize-py", "-d", "./wit", "componentize", "app"]);
        let (mut files, world) = world(&(&cli).into(), &fs).unwrap();
        assert_eq!(world.wit.paths, ["wit"]);
        assert_eq!(
            files.keys().collect::<Vec<_>>(),
            ["wit/deps/dep/dep.wit", "wit/world.wit"]
        );
        let crate::args::Command::Componentize(args) = &cli.command else {
            unreachable!()
        };
        let options = componentize(args, world, &mut files, &fs, None).unwrap();
        assert_eq!(options.python_path, ["<python-path-0>"]);
        let app: Vec<_> = files
            .keys()
            .filter_map(|k| k.strip_prefix("<python-path-0>/"))
            .collect();
        assert_eq!(
            app,
            [
                "app.py",
                "pkg/__init__.py",
                "pkg/data.json",
                "pkg/data/nested/deep.txt",
                "sdk/componentize-py.toml",
                "wit/deps/dep/dep.wit",
                "wit/world.wit"
            ]
        );
    }

    #[test]
    fn a_missing_python_path_is_an_error() {
        let fs = memory(&["app.py"]);
        let cli = Cli::parse_from(["componentize-py", "componentize", "app", "-p", "nope"]);
        let (mut files, world) = world(&(&cli).into(), &fs).unwrap();
        let crate::args::Command::Componentize(args) = &cli.command else {
            unreachable!()
        };
        let error = componentize(args, world, &mut files, &fs, None).unwrap_err();
        assert_eq!(error.to_string(), "Python path `nope` is not a directory");
    }
}
