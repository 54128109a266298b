//! PEP 751 locks: the one this tool writes next to `pyproject.toml`
//! (`pylock.componentize-py.toml`, carrying the hash of the inputs it was resolved from) and any
//! `pylock.toml` a project brings, read for the target.

use std::fmt::Write;
use std::str::FromStr;

use anyhow::{Context, Result, bail};
use pep440_rs::Version;
use pep508_rs::{MarkerTree, PackageName};

use crate::environment::Target;
use crate::wheel::WheelName;

/// The file name of the lock this tool writes.
pub const LOCK_FILE: &str = "pylock.componentize-py.toml";

/// A wheel to install, from a resolution or a lock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockedWheel {
    /// The distribution.
    pub name: PackageName,
    /// Its version.
    pub version: Version,
    /// The wheel's file name.
    pub filename: String,
    /// Where to fetch it: a URL, or a path relative to the lock.
    pub url: String,
    /// Its SHA-256, lowercase hex.
    pub sha256: String,
}

/// A TOML basic string.
fn quote(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// Writes the lock of `wheels` (sorted by name) resolved for `target` from inputs whose hash is
/// `inputs_hash`; `sources` maps each package to the index it came from. URLs are written
/// without credentials.
pub fn write(
    target: &Target,
    wheels: &[LockedWheel],
    sources: &dyn Fn(&PackageName) -> String,
    inputs_hash: &str,
) -> String {
    let mut out = String::new();
    let python = target.python();
    let _ = writeln!(
        out,
        "# Written by componentize-py; do not edit. Rebuilding resolves again when the inputs change."
    );
    let _ = writeln!(out, "lock-version = \"1.0\"");
    let _ = writeln!(
        out,
        "environments = [{}]",
        quote(&format!(
            "sys_platform == 'wasi' and platform_machine == 'wasm32' and implementation_name == 'cpython' and python_full_version == '{python}'"
        ))
    );
    let _ = writeln!(out, "requires-python = {}", quote(&format!("=={python}")));
    let _ = writeln!(out, "created-by = \"componentize-py\"");
    for wheel in wheels {
        let _ = writeln!(out, "\n[[packages]]");
        let _ = writeln!(out, "name = {}", quote(wheel.name.as_ref()));
        let _ = writeln!(out, "version = {}", quote(&wheel.version.to_string()));
        let source = sources(&wheel.name);
        let local = !wheel.url.contains("://");
        if !local {
            let _ = writeln!(out, "index = {}", quote(&source));
        }
        let _ = writeln!(out, "wheels = [");
        let location = if local {
            format!("path = {}", quote(&wheel.url))
        } else {
            format!("url = {}", quote(&crate::index::redact(&wheel.url)))
        };
        let _ = writeln!(
            out,
            "  {{ name = {}, {location}, hashes = {{ sha256 = {} }} }},",
            quote(&wheel.filename),
            quote(&wheel.sha256)
        );
        let _ = writeln!(out, "]");
    }
    let _ = writeln!(out, "\n[tool.componentize-py]");
    let _ = writeln!(out, "inputs = {}", quote(inputs_hash));
    out
}

/// `[tool.componentize-py].inputs` of a lock this tool wrote, if `text` is one.
pub fn inputs_hash(text: &str) -> Option<String> {
    let table: toml::Table = toml::from_str(text).ok()?;
    table
        .get("tool")?
        .get("componentize-py")?
        .get("inputs")?
        .as_str()
        .map(str::to_string)
}

/// A lock read back.
#[derive(Debug, Clone)]
pub struct Lock {
    /// `[tool.componentize-py].inputs`, in a lock this tool wrote.
    pub inputs_hash: Option<String>,
    /// The wheels for the target.
    pub wheels: Vec<LockedWheel>,
}

/// Reads a PEP 751 lock (`path` names it in errors) for `target`: packages whose `marker` the
/// target does not meet are left out; each other one must offer a wheel the target accepts.
pub fn read(text: &str, path: &str, target: &Target) -> Result<Lock> {
    let table: toml::Table = toml::from_str(text).with_context(|| format!("parsing {path}"))?;
    match table.get("lock-version").and_then(|v| v.as_str()) {
        Some(version) if version.starts_with("1.") => {}
        Some(version) => bail!("{path}: lock-version {version} is not supported (1.x is)"),
        None => bail!("{path}: no `lock-version`; is it a PEP 751 lock?"),
    }
    let inputs_hash = inputs_hash(text);
    let packages = match table.get("packages") {
        None => &Vec::new(),
        Some(packages) => packages
            .as_array()
            .with_context(|| format!("{path}: `packages` must be an array of tables"))?,
    };
    let mut wheels = Vec::new();
    for package in packages {
        let name = package
            .get("name")
            .and_then(|n| n.as_str())
            .with_context(|| format!("{path}: a package without `name`"))?;
        let at = format!("{path}: package `{name}`");
        if let Some(marker) = package.get("marker").and_then(|m| m.as_str()) {
            let marker =
                MarkerTree::from_str(marker).with_context(|| format!("{at}: invalid marker"))?;
            if !marker.evaluate(target.markers(), &[]) {
                continue;
            }
        }
        let name =
            PackageName::new(name.to_string()).with_context(|| format!("{at}: invalid name"))?;
        let offered = package.get("wheels").and_then(|w| w.as_array());
        let mut best: Option<(usize, LockedWheel)> = None;
        for wheel in offered.into_iter().flatten() {
            let location = wheel
                .get("url")
                .or_else(|| wheel.get("path"))
                .and_then(|u| u.as_str())
                .with_context(|| format!("{at}: a wheel without `url` or `path`"))?;
            let filename = wheel
                .get("name")
                .and_then(|n| n.as_str())
                .unwrap_or_else(|| location.rsplit('/').next().unwrap_or(location));
            let parsed = WheelName::parse(filename)
                .with_context(|| format!("{at}: `{filename}` is not a wheel name"))?;
            let Some(rank) = target.rank(&parsed.tags) else {
                continue;
            };
            let sha256 = wheel
                .get("hashes")
                .and_then(|h| h.get("sha256"))
                .and_then(|h| h.as_str())
                .with_context(|| format!("{at}: wheel {filename} has no sha256 hash"))?;
            if best.as_ref().is_none_or(|(r, _)| rank < *r) {
                best = Some((
                    rank,
                    LockedWheel {
                        name: name.clone(),
                        version: parsed.version.clone(),
                        filename: filename.to_string(),
                        url: location.to_string(),
                        sha256: sha256.to_ascii_lowercase(),
                    },
                ));
            }
        }
        let Some((_, wheel)) = best else {
            let what = if package.get("sdist").is_some()
                || package.get("archive").is_some()
                || package.get("vcs").is_some()
                || package.get("directory").is_some()
            {
                " (only a source tree or sdist, which is not built)"
            } else {
                ""
            };
            bail!(
                "{at} has no wheel that runs in the component{what}; accepted tags: {}",
                target.tags().join(", ")
            );
        };
        wheels.push(wheel);
    }
    Ok(Lock {
        inputs_hash,
        wheels,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_lock_for_the_target() {
        let text = r#"
lock-version = "1.0"
created-by = "uv"

[[packages]]
name = "attrs"
version = "25.3.0"
wheels = [
  { url = "https://files.example/attrs-25.3.0-py3-none-any.whl", hashes = { sha256 = "AA" } },
]

[[packages]]
name = "colorama"
version = "0.4.6"
marker = "sys_platform == 'win32'"
wheels = [{ url = "https://files.example/colorama-0.4.6-py2.py3-none-any.whl", hashes = { sha256 = "bb" } }]

[[packages]]
name = "tomli"
version = "2.2.1"
wheels = [
  { name = "tomli-2.2.1-cp313-cp313-manylinux_2_17_x86_64.whl", url = "https://files.example/t1.whl", hashes = { sha256 = "cc" } },
  { name = "tomli-2.2.1-py3-none-any.whl", path = "wheels/tomli-2.2.1-py3-none-any.whl", hashes = { sha256 = "dd" } },
]
"#;
        let target = Target::new("3.13.5").unwrap();
        let lock = read(text, "pylock.toml", &target).unwrap();
        let got: Vec<(String, String, String)> = lock
            .wheels
            .iter()
            .map(|w| (w.name.to_string(), w.url.clone(), w.sha256.clone()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "attrs".into(),
                    "https://files.example/attrs-25.3.0-py3-none-any.whl".into(),
                    "aa".into()
                ),
                (
                    "tomli".into(),
                    "wheels/tomli-2.2.1-py3-none-any.whl".into(),
                    "dd".into()
                ),
            ]
        );
        assert_eq!(lock.inputs_hash, None);

        let native = "lock-version = \"1.0\"\n[[packages]]\nname = \"numpy\"\nversion = \"2.1.0\"\nsdist = { url = \"https://x/numpy-2.1.0.tar.gz\", hashes = { sha256 = \"ee\" } }\nwheels = [{ url = \"https://x/numpy-2.1.0-cp313-cp313-win_amd64.whl\", hashes = { sha256 = \"ff\" } }]\n";
        let error = read(native, "pylock.toml", &target)
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with("pylock.toml: package `numpy` has no wheel that runs in the component (only a source tree or sdist, which is not built); accepted tags: cp313-none-any"),
            "{error}"
        );
        let error = read("[[packages]]\n", "pylock.toml", &target)
            .unwrap_err()
            .to_string();
        assert_eq!(
            error,
            "pylock.toml: no `lock-version`; is it a PEP 751 lock?"
        );
    }
}
