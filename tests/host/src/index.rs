//! A PEP 691 package index on 127.0.0.1 for the dependency tests, serving wheels built from source
//! folders: `<folder>/<name>-<version>[-<python>-<abi>-<platform>]/` holds a package's files and
//! its `METADATA` (and optionally `entry_points.txt`), which go into its `.dist-info`. A folder
//! name without tags makes a `py3-none-any` wheel. Files named `<name>-<version>.yanked` yank
//! that version. Wheel files in the folder are served as they are, without PEP 658 metadata
//! files (so the resolver reads their METADATA from the wheel). Every request path is logged.
//! Answers allow any origin (CORS), as PyPI's do, unless started with `cors` off; started with
//! an `authorization`, it answers 401 to requests without that `Authorization` header.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};

/// Who may read the index.
#[derive(Debug, Clone)]
pub struct Access {
    /// Send `Access-Control-Allow-Origin: *`.
    pub cors: bool,
    /// The `Authorization` header value a request must carry, if any.
    pub authorization: Option<String>,
}

impl Default for Access {
    fn default() -> Self {
        Self {
            cors: true,
            authorization: None,
        }
    }
}

/// One wheel of the index.
struct Wheel {
    filename: String,
    project: String,
    bytes: Vec<u8>,
    /// The PEP 658 metadata file, if one is served.
    metadata: Option<Vec<u8>>,
    yanked: bool,
}

/// A running index; it stops with the test process.
pub struct IndexServer {
    port: u16,
    log: Arc<Mutex<Vec<String>>>,
}

impl IndexServer {
    /// Builds the wheels of `dir` and serves them.
    pub fn start(dir: &Path) -> Result<Self> {
        Self::start_with(dir, Access::default())
    }

    /// Builds the wheels of `dir` and serves them as `access` says.
    pub fn start_with(dir: &Path, access: Access) -> Result<Self> {
        let access = Arc::new(access);
        let wheels = Arc::new(build_wheels(dir)?);
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let port = listener.local_addr()?.port();
        let log = Arc::new(Mutex::new(Vec::new()));
        let shared = log.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let wheels = wheels.clone();
                let log = shared.clone();
                let access = access.clone();
                std::thread::spawn(move || {
                    let _ = serve(stream, &wheels, &log, &access);
                });
            }
        });
        Ok(Self { port, log })
    }

    /// The index URL (`--index-url`).
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/simple", self.port)
    }

    /// The paths requested so far, and forget them.
    pub fn take_log(&self) -> Vec<String> {
        std::mem::take(&mut self.log.lock().unwrap())
    }
}

/// The wheels built from the package folders under `dir`, sorted by file name.
fn build_wheels(dir: &Path) -> Result<Vec<Wheel>> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<_>>()?;
    entries.sort();
    let yanked: Vec<String> = entries
        .iter()
        .filter_map(|p| {
            p.file_name()?
                .to_str()?
                .strip_suffix(".yanked")
                .map(str::to_string)
        })
        .collect();
    let mut wheels = Vec::new();
    for file in entries
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "whl"))
    {
        let filename = file.file_name().unwrap().to_string_lossy().into_owned();
        wheels.push(Wheel {
            project: filename
                .split('-')
                .next()
                .unwrap()
                .to_lowercase()
                .replace(['_', '.'], "-"),
            bytes: std::fs::read(file)?,
            metadata: None,
            yanked: false,
            filename,
        });
    }
    for folder in entries.iter().filter(|p| p.is_dir()) {
        let stem = folder.file_name().unwrap().to_string_lossy().into_owned();
        let parts: Vec<&str> = stem.split('-').collect();
        let (project, version) = (parts[0].to_string(), parts[1].to_string());
        let filename = if parts.len() == 2 {
            format!("{stem}-py3-none-any.whl")
        } else {
            format!("{stem}.whl")
        };
        let info = format!("{project}-{version}.dist-info");
        let mut files = BTreeMap::new();
        collect(folder, "", &mut files)?;
        let metadata = files
            .remove("METADATA")
            .with_context(|| format!("{} has no METADATA", folder.display()))?;
        let mut entries: Vec<(String, Vec<u8>)> = files
            .into_iter()
            .map(|(path, bytes)| match path.as_str() {
                "entry_points.txt" => (format!("{info}/{path}"), bytes),
                _ => (path, bytes),
            })
            .collect();
        entries.push((format!("{info}/METADATA"), metadata.clone()));
        entries.push((
            format!("{info}/WHEEL"),
            b"Wheel-Version: 1.0\nGenerator: componentize-py tests\nRoot-Is-Purelib: true\n"
                .to_vec(),
        ));
        let refs: Vec<(&str, &[u8])> = entries
            .iter()
            .map(|(p, b)| (p.as_str(), b.as_slice()))
            .collect();
        wheels.push(Wheel {
            yanked: yanked.contains(&format!("{project}-{version}")),
            project: project.to_lowercase().replace('_', "-"),
            filename,
            bytes: crate::zip(&refs),
            metadata: Some(metadata),
        });
    }
    Ok(wheels)
}

fn collect(dir: &Path, prefix: &str, out: &mut BTreeMap<String, Vec<u8>>) -> Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = format!("{prefix}{}", path.file_name().unwrap().to_string_lossy());
        if path.is_dir() {
            collect(&path, &format!("{name}/"), out)?;
        } else {
            out.insert(name, std::fs::read(&path)?);
        }
    }
    Ok(())
}

/// Answers the requests of one connection.
fn serve(
    stream: TcpStream,
    wheels: &[Wheel],
    log: &Mutex<Vec<String>>,
    access: &Access,
) -> Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut stream = stream;
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line)? == 0 {
            return Ok(());
        }
        let mut authorized = access.authorization.is_none();
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
                break;
            }
            if let (Some((name, value)), Some(expected)) =
                (header.split_once(':'), &access.authorization)
                && name.eq_ignore_ascii_case("authorization")
                && value.trim() == expected
            {
                authorized = true;
            }
        }
        let path = request_line
            .split_whitespace()
            .nth(1)
            .unwrap_or("/")
            .to_string();
        log.lock().unwrap().push(path.clone());
        let (status, content_type, body) = if authorized {
            answer(&path, wheels)
        } else {
            ("401 Unauthorized", "text/plain", b"unauthorized".to_vec())
        };
        let cors = if access.cors {
            "Access-Control-Allow-Origin: *\r\n"
        } else {
            ""
        };
        write!(
            stream,
            "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n{cors}Content-Length: {}\r\n\r\n",
            body.len()
        )?;
        stream.write_all(&body)?;
        stream.flush()?;
    }
}

fn answer(path: &str, wheels: &[Wheel]) -> (&'static str, &'static str, Vec<u8>) {
    let not_found = ("404 Not Found", "text/plain", b"not found".to_vec());
    if let Some(project) = path.strip_prefix("/simple/") {
        let project = project.trim_end_matches('/');
        let files: Vec<String> = wheels
            .iter()
            .filter(|w| w.project == project)
            .map(|w| {
                format!(
                    r#"{{"filename": "{0}", "url": "../../files/{0}", "hashes": {{"sha256": "{1}"}}, "yanked": {2}, "core-metadata": true}}"#,
                    w.filename,
                    sha256(&w.bytes),
                    w.yanked
                )
            })
            .collect();
        if files.is_empty() {
            return not_found;
        }
        let body = format!(
            r#"{{"meta": {{"api-version": "1.1"}}, "name": "{project}", "files": [{}]}}"#,
            files.join(", ")
        );
        return (
            "200 OK",
            "application/vnd.pypi.simple.v1+json",
            body.into_bytes(),
        );
    }
    let Some(file) = path.strip_prefix("/files/") else {
        return not_found;
    };
    for wheel in wheels {
        if file == wheel.filename {
            return ("200 OK", "application/octet-stream", wheel.bytes.clone());
        }
        if file.strip_suffix(".metadata") == Some(wheel.filename.as_str())
            && let Some(metadata) = &wheel.metadata
        {
            return ("200 OK", "text/plain", metadata.clone());
        }
    }
    not_found
}

/// The lowercase hex SHA-256 of `bytes`.
fn sha256(bytes: &[u8]) -> String {
    componentize_py_deps::resolve::sha256_hex(bytes)
}
