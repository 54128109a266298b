//! Wheels: their file names (PEP 427 with compressed tag sets), their core metadata
//! (`METADATA`, also served alone as a PEP 658 `.metadata` file) and their contents.

use std::io::Read;
use std::str::FromStr;

use anyhow::{Context, Result, bail};
use pep440_rs::{Version, VersionSpecifiers};
use pep508_rs::{PackageName, Requirement};

/// A parsed wheel file name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WheelName {
    /// The distribution, normalised.
    pub name: PackageName,
    /// Its version.
    pub version: Version,
    /// Every `python-abi-platform` tag the compressed tag sets expand to.
    pub tags: Vec<String>,
}

impl WheelName {
    /// Parses `name-version[-build]-python-abi-platform.whl`; `None` if it is not a wheel name.
    pub fn parse(filename: &str) -> Option<Self> {
        let stem = filename.strip_suffix(".whl")?;
        let parts: Vec<&str> = stem.split('-').collect();
        let (name, version, python, abi, platform) = match parts[..] {
            [n, v, p, a, pl] | [n, v, _, p, a, pl] => (n, v, p, a, pl),
            _ => return None,
        };
        let mut tags = Vec::new();
        for p in python.split('.') {
            for a in abi.split('.') {
                for pl in platform.split('.') {
                    tags.push(format!("{p}-{a}-{pl}"));
                }
            }
        }
        Some(Self {
            name: PackageName::new(name.to_string()).ok()?,
            version: Version::from_str(version).ok()?,
            tags,
        })
    }

    /// Whether the wheel claims to hold only Python (`none` ABI, `any` platform).
    pub fn is_pure(&self) -> bool {
        self.tags.iter().all(|tag| tag.ends_with("-none-any"))
    }
}

/// The fields of a distribution's core metadata the resolver reads.
#[derive(Debug, Clone)]
pub struct Metadata {
    /// `Name`, normalised.
    pub name: PackageName,
    /// `Version`.
    pub version: Version,
    /// `Requires-Dist`.
    pub requires_dist: Vec<Requirement>,
    /// `Requires-Python`.
    pub requires_python: Option<VersionSpecifiers>,
}

impl Metadata {
    /// Parses core metadata (the RFC 822 style headers of `METADATA`; the body is ignored).
    /// `source` names the file in errors.
    pub fn parse(text: &str, source: &str) -> Result<Self> {
        let mut headers: Vec<(String, String)> = Vec::new();
        for line in text.lines() {
            if line.is_empty() {
                break;
            }
            if line.starts_with([' ', '\t']) {
                if let Some((_, value)) = headers.last_mut() {
                    value.push(' ');
                    value.push_str(line.trim());
                }
                continue;
            }
            if let Some((key, value)) = line.split_once(':') {
                headers.push((key.trim().to_ascii_lowercase(), value.trim().to_string()));
            }
        }
        let one = |key: &str| {
            headers
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
        };
        let name = one("name").with_context(|| format!("{source}: no `Name`"))?;
        let name = PackageName::new(name.to_string())
            .with_context(|| format!("{source}: invalid `Name: {name}`"))?;
        let version = one("version").with_context(|| format!("{source}: no `Version`"))?;
        let version = Version::from_str(version)
            .with_context(|| format!("{source}: invalid `Version: {version}`"))?;
        let requires_dist = headers
            .iter()
            .filter(|(key, _)| key == "requires-dist")
            .map(|(_, value)| {
                Requirement::from_str(value)
                    .with_context(|| format!("{source}: invalid `Requires-Dist: {value}`"))
            })
            .collect::<Result<Vec<_>>>()?;
        let requires_python = one("requires-python")
            .filter(|v| !v.is_empty())
            .map(|v| {
                VersionSpecifiers::from_str(v)
                    .with_context(|| format!("{source}: invalid `Requires-Python: {v}`"))
            })
            .transpose()?;
        Ok(Self {
            name,
            version,
            requires_dist,
            requires_python,
        })
    }

    /// Reads `METADATA` out of a wheel's bytes.
    pub fn from_wheel(wheel: &[u8], filename: &str) -> Result<Self> {
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(wheel))
            .with_context(|| format!("{filename} is not a zip archive"))?;
        let path = (0..archive.len())
            .filter_map(|i| {
                archive
                    .name_for_index(i)?
                    .ok()
                    .map(|name| name.into_owned())
            })
            .find(|name| {
                name.strip_suffix("/METADATA")
                    .is_some_and(|dir| dir.ends_with(".dist-info") && !dir.contains('/'))
            })
            .with_context(|| format!("{filename} has no .dist-info/METADATA"))?;
        let mut text = String::new();
        archive
            .by_name(&path)?
            .read_to_string(&mut text)
            .with_context(|| format!("reading {path} in {filename}"))?;
        Self::parse(&text, &format!("{filename}/{path}"))
    }
}

/// The files a wheel installs into `site-packages`, as `(path, contents)` in archive order:
/// everything but the `.data` scripts, headers and data (whose `purelib`/`platlib` parts move to
/// the root), with `.pyc` files dropped. Fails if a wheel that claims to be pure holds a compiled
/// extension, which the runtime could not load.
pub fn unpack(wheel: &[u8], filename: &str) -> Result<Vec<(String, Vec<u8>)>> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(wheel))
        .with_context(|| format!("{filename} is not a zip archive"))?;
    let mut files = Vec::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i)?;
        if entry.is_dir() {
            continue;
        }
        let Some(path) = entry.enclosed_name() else {
            bail!(
                "{filename}: unsafe path `{}`",
                entry.name().unwrap_or_default()
            );
        };
        let path = path.to_string_lossy().replace('\\', "/");
        let path = match path.split_once('/') {
            Some((top, rest)) if top.ends_with(".data") => match rest.split_once('/') {
                Some(("purelib" | "platlib", inner)) => inner.to_string(),
                _ => continue,
            },
            _ => path,
        };
        if path.ends_with(".pyc") {
            continue;
        }
        if is_compiled(&path) {
            bail!(
                "{filename} is tagged pure Python but contains the compiled extension `{path}`, \
                 which the WebAssembly runtime cannot load"
            );
        }
        let mut contents = Vec::with_capacity(entry.size() as usize);
        entry
            .read_to_end(&mut contents)
            .with_context(|| format!("reading {path} in {filename}"))?;
        files.push((path, contents));
    }
    Ok(files)
}

/// Whether a path names a native extension module or shared library.
fn is_compiled(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.ends_with(".so")
        || name.ends_with(".pyd")
        || name.ends_with(".dylib")
        || name.ends_with(".dll")
        || name.contains(".so.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_wheel_names_with_compressed_tags() {
        let wheel = WheelName::parse("Foo_Bar-1.0.post1-2-py2.py3-none-any.whl").unwrap();
        assert_eq!(wheel.name.as_ref(), "foo-bar");
        assert_eq!(wheel.version.to_string(), "1.0.post1");
        assert_eq!(wheel.tags, ["py2-none-any", "py3-none-any"]);
        assert!(wheel.is_pure());
        let native = WheelName::parse("numpy-2.1.0-cp313-cp313-manylinux_2_17_x86_64.whl").unwrap();
        assert!(!native.is_pure());
        assert!(WheelName::parse("numpy-2.1.0.tar.gz").is_none());
        assert!(WheelName::parse("x-1-py3.whl").is_none());
    }

    #[test]
    fn parses_core_metadata() {
        let text = "Metadata-Version: 2.1\nName: Requests\nVersion: 2.32.3\n\
                    Requires-Python: >=3.8\nRequires-Dist: idna<4,>=2.5\n\
                    Requires-Dist: PySocks!=1.5.7,>=1.5.6; extra == \"socks\"\n\
                    Provides-Extra: socks\nSummary: a\n  continued\n\nRequires-Dist: body\n";
        let metadata = Metadata::parse(text, "METADATA").unwrap();
        assert_eq!(metadata.name.as_ref(), "requests");
        assert_eq!(metadata.requires_dist.len(), 2);
        assert_eq!(metadata.requires_python.unwrap().to_string(), ">=3.8");
        let error = Metadata::parse("Name: x\n", "x/METADATA").unwrap_err();
        assert_eq!(error.to_string(), "x/METADATA: no `Version`");
    }
}
