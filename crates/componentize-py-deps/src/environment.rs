//! The environment packages are resolved for: the CPython the runtime embeds, on `wasm32-wasip1`.
//! Its PEP 508 markers and the wheel tags it accepts both follow from that CPython's version,
//! which the runtime build stamps into `runtime.wasm`.

use std::str::FromStr;

use anyhow::{Context, Result, bail};
use pep440_rs::{Version, VersionSpecifiers};
use pep508_rs::{MarkerEnvironment, MarkerEnvironmentBuilder};

/// The target of a resolution.
#[derive(Debug, Clone)]
pub struct Target {
    python: Version,
    markers: MarkerEnvironment,
    tags: Vec<String>,
}

impl Target {
    /// The target for the embedded CPython `python_full_version` (e.g. `3.14.7`).
    pub fn new(python_full_version: &str) -> Result<Self> {
        let python = Version::from_str(python_full_version)
            .ok()
            .filter(|v| v.release().len() >= 2 && v.release()[0] == 3)
            .with_context(|| format!("`{python_full_version}` is not a CPython 3 version"))?;
        let minor = python.release()[1];
        let python_version = format!("3.{minor}");
        let markers = MarkerEnvironment::try_from(MarkerEnvironmentBuilder {
            implementation_name: "cpython",
            implementation_version: python_full_version,
            os_name: "posix",
            platform_machine: "wasm32",
            platform_python_implementation: "CPython",
            // What wasi-libc's uname() reports, and so CPython's platform module.
            platform_release: "0.0.0",
            platform_system: "wasi",
            platform_version: "0.0.0",
            python_full_version,
            python_version: &python_version,
            sys_platform: "wasi",
        })
        .with_context(|| format!("marker environment for CPython {python_full_version}"))?;
        // Most preferred first, in the order `packaging.tags` gives the tags a pure-Python
        // install accepts: the interpreter's own, then py3X, py3, and the older minors.
        let mut tags = vec![
            format!("cp3{minor}-none-any"),
            format!("py3{minor}-none-any"),
            "py3-none-any".to_string(),
        ];
        tags.extend((0..minor).rev().map(|m| format!("py3{m}-none-any")));
        if python.release().len() < 3 {
            bail!("`{python_full_version}` lacks a micro version");
        }
        Ok(Self {
            python,
            markers,
            tags,
        })
    }

    /// The CPython version (`python_full_version`).
    pub fn python(&self) -> &Version {
        &self.python
    }

    /// The PEP 508 marker environment.
    pub fn markers(&self) -> &MarkerEnvironment {
        &self.markers
    }

    /// The wheel tags accepted, most preferred first (`cp314-none-any`, `py314-none-any`,
    /// `py3-none-any`, `py312-none-any`, ..., `py30-none-any`).
    pub fn tags(&self) -> &[String] {
        &self.tags
    }

    /// Whether a `Requires-Python` specifier admits the target's CPython.
    pub fn admits(&self, requires_python: &VersionSpecifiers) -> bool {
        requires_python.contains(&self.python)
    }

    /// The rank of a wheel's tags (lower is better), or `None` if none is accepted.
    pub fn rank(&self, tags: &[String]) -> Option<usize> {
        tags.iter()
            .filter_map(|tag| self.tags.iter().position(|t| t == tag))
            .min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_and_markers_follow_the_python_version() {
        let target = Target::new("3.13.5").unwrap();
        assert_eq!(
            target.tags()[..4],
            [
                "cp313-none-any",
                "py313-none-any",
                "py3-none-any",
                "py312-none-any"
            ]
        );
        assert_eq!(target.tags().last().unwrap(), "py30-none-any");
        let marker = |text: &str| {
            pep508_rs::Requirement::<pep508_rs::VerbatimUrl>::from_str(&format!("x; {text}"))
                .unwrap()
                .marker
                .evaluate(target.markers(), &[])
        };
        assert!(marker(
            "sys_platform == 'wasi' and platform_machine == 'wasm32'"
        ));
        assert!(marker(
            "python_version >= '3.13' and implementation_name == 'cpython'"
        ));
        assert!(marker("python_full_version == '3.13.5'"));
        assert!(marker("platform_system == 'wasi' and os_name == 'posix'"));
        assert!(!marker("sys_platform == 'win32'"));
        assert!(!marker("python_version < '3.11'"));
        assert!(target.admits(&VersionSpecifiers::from_str(">=3.9").unwrap()));
        assert!(!target.admits(&VersionSpecifiers::from_str(">=3.14").unwrap()));
        assert!(Target::new("2.7.18").is_err());
    }
}
