//! The app's dependencies: what it asks for (`-r` files, or the app folder's `pylock.toml` or
//! `pyproject.toml`), the lock that records a resolution, and the wheels fetched through the host
//! and unpacked into the files the core bundles.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use componentize_py_deps::lock::{self, LOCK_FILE, LockedWheel};
use componentize_py_deps::requirements::{self, Requirements};
use componentize_py_deps::{Credentials, Fetcher, Request, Resolver, Source, Stats, Target, index};

use componentize_py_core::{ComponentizeOptions, Files};

use crate::args::Dependencies;
use crate::inputs::{FileSystem, Kind};

/// The root in the core's file tree under which the installed packages are put.
pub const ROOT: &str = "<dependencies>";

/// What resolving and installing packages needs from the host besides its files.
pub trait PackageHost: FileSystem {
    /// Fetches HTTP(S) URLs for the dependency resolver, in parallel where it can (a project
    /// page with `Accept:` [`componentize_py_deps::index::ACCEPT`]): each answer is the bytes,
    /// `None` if the server says the URL does not exist (404, 410), or an error that says what
    /// failed.
    fn fetch(&mut self, requests: &[Request]) -> Vec<Result<Option<Vec<u8>>>>;
    /// A wheel from the cache, by SHA-256.
    fn cached_wheel(&mut self, sha256: &str) -> Option<Vec<u8>>;
    /// Stores a verified wheel in the cache (failures only cost a later download).
    fn cache_wheel(&mut self, sha256: &str, bytes: &[u8]);
}

/// What [`prepare`] installed.
pub struct Installed {
    /// The files the wheels install, by path.
    pub files: BTreeMap<String, Vec<u8>>,
    /// The installed packages: name and version, sorted by name.
    pub packages: Vec<(String, String)>,
    /// A new or updated lock to write once the component is built.
    pub lock: Option<(PathBuf, String)>,
    /// The counts for the progress line.
    pub stats: Stats,
}

impl Installed {
    /// Adds the installed files to the app's files, under [`ROOT`] at the end of the Python
    /// path, and returns the lock to write.
    pub fn bundle(
        self,
        files: &mut Files,
        options: &mut ComponentizeOptions,
    ) -> Option<(PathBuf, String)> {
        for (path, contents) in self.files {
            files.insert(format!("{ROOT}/{path}"), contents);
        }
        options.python_path.push(ROOT.to_string());
        self.lock
    }
}

/// One input that names requirements.
enum Input {
    Pyproject(PathBuf),
    Requirements(PathBuf),
    Lock(PathBuf),
}

impl Input {
    fn from_path(path: &Path) -> Self {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if name == "pyproject.toml" {
            Input::Pyproject(path.to_path_buf())
        } else if name.starts_with("pylock.") && name.ends_with(".toml") {
            Input::Lock(path.to_path_buf())
        } else {
            Input::Requirements(path.to_path_buf())
        }
    }

    fn path(&self) -> &Path {
        match self {
            Input::Pyproject(p) | Input::Requirements(p) | Input::Lock(p) => p,
        }
    }
}

/// The inputs: the `-r` files, or, with neither `-p` nor a virtual environment, the app folder's
/// lock or `pyproject.toml`.
fn find_inputs<H: FileSystem>(
    flags: &Dependencies,
    explicit_path: bool,
    virtual_env: bool,
    host: &H,
) -> Result<Vec<Input>> {
    if !flags.requirements.is_empty() {
        for path in &flags.requirements {
            if host.kind(path) != Some(Kind::File) {
                bail!("requirements file `{}` does not exist", path.display());
            }
        }
        return Ok(flags
            .requirements
            .iter()
            .map(|p| Input::from_path(p))
            .collect());
    }
    if explicit_path || virtual_env {
        return Ok(Vec::new());
    }
    let mut locks: Vec<String> = host
        .list(Path::new("."))
        .unwrap_or_default()
        .into_iter()
        .filter(|name| name.starts_with("pylock.") && name.ends_with(".toml") && name != LOCK_FILE)
        .collect();
    locks.sort();
    match &locks[..] {
        [] => {}
        [one] => return Ok(vec![Input::Lock(PathBuf::from(one))]),
        several => bail!(
            "the app folder has several PEP 751 locks ({}); choose one with -r",
            several.join(", ")
        ),
    }
    let pyproject = PathBuf::from("pyproject.toml");
    Ok(if host.kind(&pyproject) == Some(Kind::File) {
        vec![Input::Pyproject(pyproject)]
    } else {
        Vec::new()
    })
}

fn read_text<H: FileSystem>(host: &H, path: &Path) -> Result<String> {
    let bytes = host
        .read(path)
        .with_context(|| format!("reading {}", path.display()))?;
    String::from_utf8(bytes).with_context(|| format!("{} is not UTF-8", path.display()))
}

/// Finds, resolves (or reads from the lock) and installs the app's dependencies for the runtime's
/// CPython `python`; `None` if it has none.
pub fn prepare<H: PackageHost>(
    flags: &Dependencies,
    explicit_path: bool,
    virtual_env: bool,
    python: Option<&str>,
    host: &mut H,
) -> Result<Option<Installed>> {
    if flags.no_deps {
        return Ok(None);
    }
    let inputs = find_inputs(flags, explicit_path, virtual_env, host)?;
    if inputs.is_empty() {
        return Ok(None);
    }
    let python =
        python.ok_or_else(|| anyhow!("the runtime does not say which CPython it embeds"))?;
    let target = Target::new(python)?;

    if let Some(lock_input) = inputs.iter().find(|i| matches!(i, Input::Lock(_))) {
        if inputs.len() > 1 {
            bail!(
                "{} is a lock: it cannot be combined with other requirements",
                lock_input.path().display()
            );
        }
        let path = lock_input.path();
        let lock = lock::read(
            &read_text(host, path)?,
            &path.display().to_string(),
            &target,
        )?;
        let indexes = index_urls(flags, &Requirements::default());
        let lock_dir = path.parent().unwrap_or(Path::new(""));
        return from_lock(host, &lock.wheels, lock_dir, &indexes, flags.offline).map(Some);
    }

    let mut merged = Requirements::default();
    for input in &inputs {
        let path = input.path();
        let shown = path.display().to_string();
        let read = match input {
            Input::Pyproject(_) => requirements::pyproject(
                &read_text(host, path)?,
                &shown,
                &flags.extras,
                &flags.groups,
            )?,
            _ => {
                let shared = &*host;
                requirements::requirements_txt(&shown, &mut |file| {
                    read_text(shared, Path::new(file))
                })?
            }
        };
        if let Some(requires) = &read.requires_python
            && !target.admits(requires)
        {
            bail!("{shown}: requires-python `{requires}` excludes the runtime's CPython {python}");
        }
        merged.requirements.extend(read.requirements);
        merged.index_url = read.index_url.or(merged.index_url);
        for (name, hashes) in read.hashes {
            merged.hashes.entry(name).or_default().extend(hashes);
        }
        merged.extra_index_urls.extend(read.extra_index_urls);
        merged.find_links.extend(read.find_links);
    }
    if merged.requirements.is_empty() {
        return Ok(None);
    }
    let sources = sources(flags, &merged, host)?;
    let inputs_hash = componentize_py_deps::inputs_hash(&target, &merged, &sources);
    let lock_dir = inputs[0]
        .path()
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let lock_path = lock_dir.join(LOCK_FILE);
    let existing = match host.kind(&lock_path) {
        Some(Kind::File) => Some(read_text(host, &lock_path)?),
        _ => None,
    };
    // Our own lock is only read when it was resolved from these inputs; otherwise it is stale,
    // whatever it holds (a lock for another CPython may name wheels this one cannot use).
    let current = existing
        .as_deref()
        .filter(|text| lock::inputs_hash(text).as_deref() == Some(inputs_hash.as_str()))
        .map(|text| lock::read(text, &lock_path.display().to_string(), &target))
        .transpose()?;
    if let Some(lock) = current {
        componentize_py_deps::check_pins(&lock.wheels, &merged)?;
        let indexes = index_urls(flags, &merged);
        return from_lock(host, &lock.wheels, &lock_dir, &indexes, flags.offline).map(Some);
    }
    let why = if existing.is_some() {
        "is out of date with"
    } else {
        "is missing for"
    };
    if flags.locked {
        bail!(
            "{} {why} {} (--locked)",
            lock_path.display(),
            inputs[0].path().display()
        );
    }
    if flags.offline {
        bail!(
            "{} {why} {}, and --offline forbids resolving",
            lock_path.display(),
            inputs[0].path().display()
        );
    }
    let mut stats = Stats::default();
    let credentials = Credentials::of_sources(&sources);
    let resolver = Resolver::new(target.clone(), merged.requirements.clone(), sources)?;
    let (resolution, fetched) =
        componentize_py_deps::resolve_with(resolver, &mut HostFetcher(host), &mut stats)?;
    let wheels = componentize_py_deps::locked(&resolution, &fetched)?;
    componentize_py_deps::check_pins(&wheels, &merged)?;
    let origin: BTreeMap<_, _> = resolution
        .packages
        .iter()
        .map(|p| (p.name.clone(), p.source.clone()))
        .collect();
    let as_locked = wheels
        .iter()
        .map(|wheel| {
            Ok(LockedWheel {
                url: path_from_lock(&wheel.url, &lock_dir)?,
                ..wheel.clone()
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let text = lock::write(
        &target,
        &as_locked,
        &|name| origin.get(name).cloned().unwrap_or_default(),
        &inputs_hash,
    );
    let files = install(host, &wheels, fetched, &credentials, false, &mut stats)?;
    Ok(Some(Installed {
        files,
        packages: packages(&wheels),
        lock: Some((lock_path, text)),
        stats,
    }))
}

/// Installs the wheels of a lock in `lock_dir` that needs no resolution: its paths are relative
/// to `lock_dir`, and its URLs are fetched with the credentials of `indexes` (a lock holds none).
fn from_lock<H: PackageHost>(
    host: &mut H,
    wheels: &[LockedWheel],
    lock_dir: &Path,
    indexes: &[String],
    offline: bool,
) -> Result<Installed> {
    let mut stats = Stats {
        packages: wheels.len(),
        ..Stats::default()
    };
    let fetchable: Vec<LockedWheel> = wheels
        .iter()
        .map(|wheel| LockedWheel {
            url: if wheel.url.contains("://") {
                wheel.url.clone()
            } else {
                path_in_lock_dir(&wheel.url, lock_dir)
            },
            ..wheel.clone()
        })
        .collect();
    let credentials = Credentials::of(indexes.iter().map(String::as_str));
    let files = install(
        host,
        &fetchable,
        BTreeMap::new(),
        &credentials,
        offline,
        &mut stats,
    )?;
    Ok(Installed {
        files,
        packages: packages(wheels),
        lock: None,
        stats,
    })
}

/// The names and versions of `wheels`, sorted by name.
fn packages(wheels: &[LockedWheel]) -> Vec<(String, String)> {
    let mut packages: Vec<_> = wheels
        .iter()
        .map(|w| (w.name.to_string(), w.version.to_string()))
        .collect();
    packages.sort();
    packages
}

/// `path` with `.` and `..` resolved as far as they go, without reading the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// A path with `/` separators, as locks write them.
fn slashed(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// A wheel's path (relative to the working directory) as a lock in `lock_dir` names it: relative
/// to the lock (PEP 751); URLs and absolute paths stay as they are.
fn path_from_lock(path: &str, lock_dir: &Path) -> Result<String> {
    if path.contains("://") || Path::new(path).is_absolute() {
        return Ok(path.to_string());
    }
    let base = normalize(lock_dir);
    if base.is_absolute() || base.components().any(|c| c == Component::ParentDir) {
        bail!(
            "the lock in {} cannot name the wheel {path} relative to itself: give --find-links \
             an absolute path, or build from a folder that holds the requirements",
            lock_dir.display()
        );
    }
    let target = normalize(Path::new(path));
    let base: Vec<Component> = base.components().collect();
    let target: Vec<Component> = target.components().collect();
    let common = base.iter().zip(&target).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..base.len() {
        out.push("..");
    }
    out.extend(&target[common..]);
    Ok(slashed(&out))
}

/// A lock's `path` entry (relative to the lock in `lock_dir`) as a path from the working
/// directory.
fn path_in_lock_dir(path: &str, lock_dir: &Path) -> String {
    if Path::new(path).is_absolute() {
        return path.to_string();
    }
    slashed(&normalize(&lock_dir.join(path)))
}

/// The index URLs the flags and requirements files give, in order.
fn index_urls(flags: &Dependencies, merged: &Requirements) -> Vec<String> {
    flags
        .index_url
        .iter()
        .chain(&merged.index_url)
        .chain(&flags.extra_index_url)
        .chain(&merged.extra_index_urls)
        .cloned()
        .collect()
}

/// The sources in the order they are searched: `--find-links` directories, then the index and
/// the extra indexes.
fn sources<H: FileSystem>(
    flags: &Dependencies,
    merged: &Requirements,
    host: &H,
) -> Result<Vec<Source>> {
    let mut sources = Vec::new();
    let dirs = flags
        .find_links
        .iter()
        .map(|d| d.display().to_string())
        .chain(merged.find_links.iter().cloned());
    for dir in dirs {
        let names = host
            .list(Path::new(&dir))
            .with_context(|| format!("--find-links `{dir}` is not a readable directory"))?;
        sources.push(Source::FindLinks { dir, names });
    }
    let index_url = flags
        .index_url
        .clone()
        .or_else(|| merged.index_url.clone())
        .unwrap_or_else(|| index::DEFAULT_INDEX.to_string());
    sources.push(Source::index(&index_url));
    for url in flags.extra_index_url.iter().chain(&merged.extra_index_urls) {
        sources.push(Source::index(url));
    }
    Ok(sources)
}

fn install<H: PackageHost>(
    host: &mut H,
    wheels: &[LockedWheel],
    fetched: BTreeMap<String, Vec<u8>>,
    credentials: &Credentials,
    offline: bool,
    stats: &mut Stats,
) -> Result<BTreeMap<String, Vec<u8>>> {
    let mut fetcher = HostFetcher(host);
    componentize_py_deps::install(wheels, fetched, &mut fetcher, credentials, offline, stats)
}

/// The host as the resolver's fetcher: URLs through [`PackageHost::fetch`], `--find-links` paths through
/// its file system.
struct HostFetcher<'a, H>(&'a mut H);

impl<H: PackageHost> Fetcher for HostFetcher<'_, H> {
    fn fetch(&mut self, requests: &[Request]) -> Vec<Result<Option<Vec<u8>>>> {
        let remote: Vec<Request> = requests
            .iter()
            .filter(|r| r.url.contains("://"))
            .cloned()
            .collect();
        let mut answers = self.0.fetch(&remote).into_iter();
        requests
            .iter()
            .map(|request| {
                if request.url.contains("://") {
                    answers
                        .next()
                        .unwrap_or_else(|| Err(anyhow!("no answer for {}", request.url)))
                } else {
                    self.0
                        .read(Path::new(&request.url))
                        .map(Some)
                        .with_context(|| format!("reading {}", request.url))
                }
            })
            .collect()
    }

    fn cached(&mut self, sha256: &str) -> Option<Vec<u8>> {
        self.0.cached_wheel(sha256)
    }

    fn cache(&mut self, sha256: &str, bytes: &[u8]) {
        self.0.cache_wheel(sha256, bytes);
    }
}

/// The progress line after the dependencies are in place.
pub fn summary(stats: &Stats) -> String {
    let downloaded = stats.packages.saturating_sub(stats.cached);
    format!(
        "{} packages ({} wheels from the cache, {} downloaded); {} requests, {:.1} MB fetched",
        stats.packages,
        stats.cached,
        downloaded,
        stats.fetched,
        stats.bytes as f64 / 1e6
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_paths_are_relative_to_the_lock() {
        // (path from the working directory, lock folder, path in the lock, read back)
        let cases = [
            ("wheels/a.whl", "", "wheels/a.whl", "wheels/a.whl"),
            ("wheels/a.whl", "app", "../wheels/a.whl", "wheels/a.whl"),
            (
                "app/wheels/a.whl",
                "app",
                "wheels/a.whl",
                "app/wheels/a.whl",
            ),
            (
                "./w/../wheels/a.whl",
                "x/y",
                "../../wheels/a.whl",
                "wheels/a.whl",
            ),
            ("/abs/a.whl", "app", "/abs/a.whl", "/abs/a.whl"),
            ("/abs/a.whl", "/locks", "/abs/a.whl", "/abs/a.whl"),
        ];
        for (path, dir, in_lock, back) in cases {
            let written = path_from_lock(path, Path::new(dir)).unwrap();
            assert_eq!(written, in_lock, "{path} from {dir}");
            assert_eq!(
                path_in_lock_dir(in_lock, Path::new(dir)),
                back,
                "{in_lock} in {dir}"
            );
        }
        assert_eq!(
            path_in_lock_dir("w/a.whl", Path::new("/locks")),
            "/locks/w/a.whl"
        );
        assert_eq!(
            path_in_lock_dir("../w/a.whl", Path::new("../up")),
            "../w/a.whl"
        );
        for dir in ["../up", "/locks"] {
            let error = path_from_lock("w/a.whl", Path::new(dir)).unwrap_err();
            assert!(
                error.to_string().contains("cannot name the wheel w/a.whl"),
                "{error}"
            );
        }
    }
}
