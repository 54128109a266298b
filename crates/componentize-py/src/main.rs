//! `componentize-py`: the native CLI, flag-for-flag compatible with componentize-py 0.25.1. The
//! command line itself lives in `componentize-py-command`; this binary gives it the real file
//! system, wasmtime for pre-initialisation, and the embedded guest runtime.

mod engine;
mod fetch;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use componentize_py_command::{FileSystem, Host, Kind, PackageHost};
use componentize_py_core::Runtime;

/// The operating system as the command's host.
struct NativeHost {
    started: Instant,
    agent: Option<ureq::Agent>,
    wheels: fetch::WheelCache,
}

impl FileSystem for NativeHost {
    fn kind(&self, path: &Path) -> Option<Kind> {
        let metadata = std::fs::metadata(path).ok()?;
        Some(if metadata.is_dir() {
            Kind::Dir
        } else {
            Kind::File
        })
    }

    fn read(&self, path: &Path) -> Result<Vec<u8>> {
        Ok(std::fs::read(path)?)
    }

    fn list(&self, path: &Path) -> Result<Vec<String>> {
        std::fs::read_dir(path)?
            .map(|entry| Ok(entry?.file_name().to_string_lossy().into_owned()))
            .collect()
    }
}

impl Host for NativeHost {
    type Engine = engine::WasmtimeEngine;

    fn env(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }

    fn write_file(&mut self, path: &Path, bytes: &[u8]) -> Result<()> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        write_atomically(path, bytes)
    }

    fn print(&self, line: &str) {
        let _ = writeln!(std::io::stdout(), "{line}");
    }

    fn eprint(&self, line: &str) {
        let _ = writeln!(std::io::stderr(), "{line}");
    }

    fn now_ms(&self) -> f64 {
        self.started.elapsed().as_secs_f64() * 1000.0
    }

    fn runtime(&self) -> Runtime<'_> {
        Runtime {
            module: include_bytes!(env!("COMPONENTIZE_PY_RUNTIME_WASM")),
            stdlib: include_bytes!(env!("COMPONENTIZE_PY_STDLIB_ZIP")),
        }
    }

    fn engine(&mut self) -> Result<Self::Engine> {
        engine::WasmtimeEngine::new(cache_root().map(|root| root.join("compiled")))
    }
}

impl PackageHost for NativeHost {
    fn fetch(
        &mut self,
        requests: &[componentize_py_deps::Request],
    ) -> Vec<Result<Option<Vec<u8>>>> {
        if requests.is_empty() {
            return Vec::new();
        }
        let agent = self.agent.get_or_insert_with(fetch::agent);
        fetch::fetch_all(agent, requests)
    }

    fn cached_wheel(&mut self, sha256: &str) -> Option<Vec<u8>> {
        self.wheels.get(sha256)
    }

    fn cache_wheel(&mut self, sha256: &str, bytes: &[u8]) {
        self.wheels.put(sha256, bytes);
    }
}

fn main() -> ExitCode {
    let mut host = NativeHost {
        started: Instant::now(),
        agent: None,
        wheels: fetch::WheelCache(cache_root().map(|root| root.join("wheels"))),
    };
    let code = componentize_py_command::run(std::env::args(), &mut host);
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}

/// The cache (compiled code, wheels): `$COMPONENTIZE_PY_CACHE` or `~/.cache/componentize-py`.
fn cache_root() -> Option<PathBuf> {
    std::env::var_os("COMPONENTIZE_PY_CACHE")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache/componentize-py"))
        })
}

/// Writes `bytes` to `path` through a temporary file, so a failure leaves no partial output.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let partial = path.with_extension(format!("partial-{}", std::process::id()));
    std::fs::write(&partial, bytes).with_context(|| format!("writing {}", partial.display()))?;
    std::fs::rename(&partial, path).with_context(|| format!("writing {}", path.display()))
}
