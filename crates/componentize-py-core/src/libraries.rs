//! Python libraries that ship WIT, as componentize-py defines them: a package on the Python path
//! with a `componentize-py.toml` naming its WIT directory (`wit_directory`) and where its bindings
//! live (`bindings`). Their worlds join the target world, and their bindings become aliases of the
//! app's, so a value made through either is the same Python class.

use std::collections::BTreeMap;

use anyhow::{Context, Result, anyhow, bail};
use serde::Deserialize;

use crate::files::{Files, dir_prefix};
use crate::naming::Direction;
use crate::summary::Summary;
use crate::wit::LibraryWorld;

/// The name of a library's configuration file.
pub const CONFIG_FILE: &str = "componentize-py.toml";

/// A library found on the Python path.
#[derive(Debug, Clone)]
pub struct Library {
    /// Its top-level module.
    pub module: String,
    /// Its WIT directory, as a [`Files`] key.
    pub wit_path: Option<String>,
    /// Its bindings package, relative to its Python path directory (`/`-separated).
    pub bindings: Option<String>,
    /// The world it uses (`-m MODULE=WORLD`); `None` picks the only world of its package.
    pub world: Option<String>,
    /// Whether its bindings use full interface names.
    pub full_names: bool,
}

/// `componentize-py.toml`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    wit_directory: Option<String>,
    bindings: Option<String>,
    #[serde(default)]
    full_names: bool,
}

impl Library {
    /// The library's WIT and world, if it ships WIT.
    pub fn wit(&self) -> Option<LibraryWorld> {
        Some(LibraryWorld {
            path: self.wit_path.clone()?,
            world: self.world.clone(),
        })
    }
}

/// Finds the libraries under the Python path directories `python_path` (keys of `files`), ordered
/// as `module_worlds` (`-m MODULE=WORLD`, which must list dependencies first) and then by path. A
/// module found in several directories counts once, from the first, as Python would import it.
pub fn find(
    files: &Files,
    python_path: &[String],
    module_worlds: &[(String, String)],
) -> Result<Vec<Library>> {
    let mut found: Vec<Library> = Vec::new();
    for root in python_path {
        let prefix = dir_prefix(root);
        let mut in_root: Vec<&str> = Vec::new();
        for (key, contents) in files.range(prefix.clone()..) {
            let Some(relative) = key.strip_prefix(&prefix) else {
                break;
            };
            let Some((dir, name)) = relative.rsplit_once('/') else {
                continue;
            };
            if name != CONFIG_FILE {
                continue;
            }
            let module = dir.split('/').next().expect("a non-empty directory");
            if found.iter().any(|l| l.module == module) {
                if in_root.contains(&module) {
                    bail!("multiple `{CONFIG_FILE}` files found in module `{module}`");
                }
                continue;
            }
            in_root.push(module);
            let text = std::str::from_utf8(contents)
                .with_context(|| format!("{relative} is not UTF-8"))?;
            let config: Config =
                toml::from_str(text).map_err(|e| anyhow!("{relative}: {}", e.message()))?;
            let inside = |path: &str| -> Result<String> {
                let joined = join(dir, path)
                    .ok_or_else(|| anyhow!("{relative}: `{path}` is outside the package"))?;
                Ok(joined)
            };
            found.push(Library {
                module: module.to_string(),
                wit_path: config
                    .wit_directory
                    .as_deref()
                    .map(|p| inside(p).map(|p| format!("{prefix}{p}")))
                    .transpose()?,
                bindings: config.bindings.as_deref().map(inside).transpose()?,
                world: None,
                full_names: config.full_names,
            });
        }
    }
    let mut ordered = Vec::new();
    for (module, world) in module_worlds {
        let index = found
            .iter()
            .position(|l| &l.module == module)
            .ok_or_else(|| anyhow!("no `{CONFIG_FILE}` file found for module `{module}`"))?;
        let mut library = found.remove(index);
        if library.wit_path.is_none() {
            bail!("no `wit_directory` specified in `{CONFIG_FILE}` for module `{module}`");
        }
        library.world = Some(world.clone());
        ordered.push(library);
    }
    ordered.extend(found);
    Ok(ordered)
}

/// The bindings files of `library`, whose world is summarised by `own`: each module re-exports
/// the app's module for the same interface (`app`), under the library's bindings package and the
/// same name. An interface the target world lacks (left out by `--intersect-world`) raises when
/// used.
pub fn alias_bindings(app: &Summary<'_>, own: &Summary<'_>) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    let package = own.naming.world_module.replace('.', "/");
    let alias = |target: &str| {
        format!(
            "# Generated by componentize-py. Do not edit.\nfrom {target} import *  # noqa: F401,F403\n"
        )
    };
    let world = &app.naming.world_module;
    files.insert(format!("{package}/__init__.py"), alias(world));
    files.insert(
        format!("{package}/imports/__init__.py"),
        alias(&format!("{world}.imports")),
    );
    files.insert(
        format!("{package}/exports/__init__.py"),
        alias(&format!("{world}.exports")),
    );
    for info in &own.interfaces {
        let side = match info.direction {
            Direction::Import => "imports",
            Direction::Export => "exports",
        };
        let target = app.interface(info.id, info.direction);
        let module = target.map_or(&info.module, |target| &target.module);
        let path = format!("{package}/{side}/{module}.py");
        let contents = match target {
            Some(target) => alias(&app.bindings_module(Some(target))),
            None => {
                let name = own.resolve.name_world_key(&info.key);
                format!(
                    "# Generated by componentize-py. Do not edit.\n\
                     def __getattr__(name: str) -> object:\n    \
                     raise NotImplementedError(\"`{name}` is not part of the target world (left out by --intersect-world)\")\n"
                )
            }
        };
        files.insert(path, contents);
    }
    files
}

/// `dir/path` with `.` and `..` resolved, or `None` if it leaves `dir`'s top-level directory.
fn join(dir: &str, path: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').collect();
    let top = parts[0];
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            part => parts.push(part),
        }
    }
    (parts.first() == Some(&top)).then(|| parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wit::tests::files;

    #[test]
    fn finds_libraries_in_python_path_order() {
        let files = files(&[
            (
                "a/sdk/componentize-py.toml",
                "wit_directory = \"wit\"\nbindings = \"gen\"\n",
            ),
            ("a/sdk/__init__.py", ""),
            ("b/sdk/componentize-py.toml", "wit_directory = \"other\"\n"),
            (
                "b/other_sdk/componentize-py.toml",
                "bindings = \"./b\"\nfull_names = true\n",
            ),
        ]);
        let found = find(&files, &["a".into(), "b".into()], &[]).unwrap();
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].module, "sdk");
        assert_eq!(found[0].wit_path.as_deref(), Some("a/sdk/wit"));
        assert_eq!(found[0].bindings.as_deref(), Some("sdk/gen"));
        assert_eq!(found[1].module, "other_sdk");
        assert_eq!(found[1].bindings.as_deref(), Some("other_sdk/b"));
        assert!(found[1].full_names);
    }

    #[test]
    fn module_worlds_order_and_name_worlds() {
        let files = files(&[
            ("p/x/componentize-py.toml", "wit_directory = \"wit\"\n"),
            ("p/y/componentize-py.toml", "wit_directory = \"wit\"\n"),
        ]);
        let found = find(&files, &["p".into()], &[("y".into(), "w".into())]).unwrap();
        assert_eq!(found[0].module, "y");
        assert_eq!(found[0].world.as_deref(), Some("w"));
        assert_eq!(found[1].module, "x");
        let error = find(&files, &["p".into()], &[("z".into(), "w".into())]).unwrap_err();
        assert!(error.to_string().contains("module `z`"), "{error}");
    }

    #[test]
    fn paths_must_stay_inside_the_package() {
        let files = files(&[(
            "p/x/componentize-py.toml",
            "wit_directory = \"../../wit\"\n",
        )]);
        let error = find(&files, &["p".into()], &[]).unwrap_err();
        assert!(error.to_string().contains("outside the package"), "{error}");
    }
}
