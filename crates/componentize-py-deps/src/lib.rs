//! The dependencies of a componentize-py app, without I/O: this crate builds for
//! `wasm32-unknown-unknown` and asks its host for every byte it needs, so the native CLI, Node and
//! browsers resolve and install the same packages.
//!
//! The stages, one module each:
//!
//! 1. [`requirements`]: what the app asks for (`pyproject.toml`, requirements files);
//! 2. [`environment`]: the target, CPython on WASI, whose markers and wheel tags follow from the
//!    version of the CPython the runtime embeds;
//! 3. [`index`]: PEP 691 project pages and `--find-links` directories;
//! 4. [`resolve`]: pubgrub over what the host has fetched so far ([`resolve::Resolver`] is a
//!    state machine: it returns requests, the host answers them, it goes on);
//!    A failed resolution is explained step by step (`report`);
//! 5. [`lock`]: the PEP 751 lock written next to `pyproject.toml`, and locks read back;
//! 6. [`wheel`]: wheel names, core metadata and the files a wheel installs.
//!
//! [`resolve_with`] and [`install`] drive the stages for a host whose fetches block (the native
//! CLI; Node through a worker); an asynchronous host drives [`resolve::Resolver`] itself.

pub mod environment;
pub mod index;
pub mod lock;
mod report;
pub mod requirements;
pub mod resolve;
pub mod wheel;

use std::collections::BTreeMap;

use anyhow::{Context, Result, anyhow, bail};
use sha2::{Digest, Sha256};

pub use environment::Target;
pub use index::{Credentials, Source};
pub use lock::LockedWheel;
pub use resolve::{Request, RequestKind, Resolution, Resolver, Step};

/// What a blocking host does for the resolver.
pub trait Fetcher {
    /// Fetches every request, in parallel where it can: the bytes, `None` if the server says the
    /// URL does not exist (404, 410), or an error that says what failed.
    fn fetch(&mut self, requests: &[Request]) -> Vec<Result<Option<Vec<u8>>>>;
    /// A wheel from the cache, by SHA-256.
    fn cached(&mut self, sha256: &str) -> Option<Vec<u8>>;
    /// Stores a verified wheel in the cache, replacing what is there.
    fn cache(&mut self, sha256: &str, bytes: &[u8]);
}

/// Counts for the progress lines.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    /// Packages in the resolution.
    pub packages: usize,
    /// Files fetched from indexes (pages, metadata, wheels).
    pub fetched: usize,
    /// Wheels taken from the cache.
    pub cached: usize,
    /// Bytes fetched.
    pub bytes: u64,
}

/// Resolves to completion, fetching through `fetcher`. Returns the wheels to install and the
/// wheels fetched on the way (for their metadata), by URL.
pub fn resolve_with(
    mut resolver: Resolver,
    fetcher: &mut dyn Fetcher,
    stats: &mut Stats,
) -> Result<(Resolution, BTreeMap<String, Vec<u8>>)> {
    loop {
        match resolver.step()? {
            Step::Done(resolution) => {
                stats.packages = resolution.packages.len();
                return Ok((resolution, resolver.take_wheels()));
            }
            Step::Fetch(requests) => {
                // Wheels read for their metadata may be in the cache already.
                let mut cached = BTreeMap::new();
                for request in &requests {
                    if request.kind == RequestKind::Wheel
                        && let Some(sha) = resolver.expected_sha256(&request.url)
                        && let Some(bytes) = fetcher.cached(sha)
                    {
                        cached.insert(request.url.clone(), bytes);
                    }
                }
                let (from_cache, to_fetch): (Vec<Request>, Vec<Request>) = requests
                    .into_iter()
                    .partition(|request| cached.contains_key(&request.url));
                for request in &from_cache {
                    stats.cached += 1;
                    resolver.provide(request, cached.remove(&request.url))?;
                }
                let requests = to_fetch;
                let responses = fetcher.fetch(&requests);
                for (request, response) in requests.iter().zip(responses) {
                    // Indexes without metadata files answer 401, 403 or 500 as well as 404.
                    let response = match response {
                        Err(_) if request.kind == RequestKind::Metadata => None,
                        response => response?,
                    };
                    stats.fetched += 1;
                    stats.bytes += response.as_ref().map_or(0, |b| b.len() as u64);
                    resolver.provide(request, response)?;
                }
            }
        }
    }
}

/// The locked form of a resolution; the wheels already fetched (by URL) supply the hashes an index
/// did not give (`--find-links`).
pub fn locked(
    resolution: &Resolution,
    fetched: &BTreeMap<String, Vec<u8>>,
) -> Result<Vec<LockedWheel>> {
    resolution
        .packages
        .iter()
        .map(|pinned| {
            let sha256 = match (&pinned.wheel.sha256, fetched.get(&pinned.wheel.url)) {
                (Some(sha), _) => sha.clone(),
                (None, Some(bytes)) => resolve::sha256_hex(bytes),
                (None, None) => bail!("no hash known for {}", pinned.wheel.filename),
            };
            Ok(LockedWheel {
                name: pinned.name.clone(),
                version: pinned.version.clone(),
                filename: pinned.wheel.filename.clone(),
                url: pinned.wheel.url.clone(),
                sha256,
            })
        })
        .collect()
}

/// Fetches the wheels (from `fetched`, the cache, or the host with `credentials`, in that order;
/// `offline` forbids fetching URLs, not reading local files), checks each one's SHA-256, caches
/// what was not cached and returns the files they install, keyed by path: `.dist-info` included,
/// so `importlib.metadata` finds them. A cached wheel whose hash does not match is fetched again.
pub fn install(
    wheels: &[LockedWheel],
    mut fetched: BTreeMap<String, Vec<u8>>,
    fetcher: &mut dyn Fetcher,
    credentials: &index::Credentials,
    offline: bool,
    stats: &mut Stats,
) -> Result<BTreeMap<String, Vec<u8>>> {
    let matches = |bytes: &[u8], wheel: &LockedWheel| {
        resolve::sha256_hex(bytes).eq_ignore_ascii_case(&wheel.sha256)
    };
    let mut found: Vec<Option<(Vec<u8>, bool)>> = Vec::new();
    let mut requests = Vec::new();
    for wheel in wheels {
        // Wheels read during resolution need no cache lookup.
        let known = match fetched.remove(&wheel.url) {
            Some(bytes) => Some((bytes, false)),
            None => fetcher
                .cached(&wheel.sha256)
                .filter(|bytes| matches(bytes, wheel))
                .map(|bytes| {
                    stats.cached += 1;
                    (bytes, true)
                }),
        };
        if known.is_none() {
            requests.push(Request::new(
                wheel.url.clone(),
                RequestKind::Wheel,
                credentials,
            ));
        }
        found.push(known);
    }
    // Checked once every cache lookup is made, so that a host answering them in batches sees
    // them all.
    let missing = wheels
        .iter()
        .zip(&found)
        .find(|(w, known)| known.is_none() && w.url.contains("://"));
    if offline && let Some((wheel, _)) = missing {
        bail!(
            "{} is not in the wheel cache, and --offline forbids fetching it from {}",
            wheel.filename,
            wheel.url
        );
    }
    let mut responses = fetcher.fetch(&requests).into_iter();
    let mut files = BTreeMap::new();
    for (wheel, known) in wheels.iter().zip(found) {
        let (contents, cached) = match known {
            Some(known) => known,
            None => {
                let response = responses
                    .next()
                    .ok_or_else(|| anyhow!("no answer for {}", wheel.url))??;
                let contents =
                    response.with_context(|| format!("{}: not found (404)", wheel.url))?;
                stats.fetched += 1;
                stats.bytes += contents.len() as u64;
                (contents, false)
            }
        };
        if !cached {
            resolve::check_sha256(&contents, &wheel.sha256, &wheel.filename)?;
            fetcher.cache(&wheel.sha256, &contents);
        }
        for (path, data) in wheel::unpack(&contents, &wheel.filename)? {
            files.insert(path, data);
        }
    }
    Ok(files)
}

/// Checks the wheels against the `--hash` pins of requirements files: a pinned package's wheel
/// must have one of its hashes.
pub fn check_pins(wheels: &[LockedWheel], requirements: &requirements::Requirements) -> Result<()> {
    for wheel in wheels {
        if let Some(pins) = requirements.hashes.get(&wheel.name)
            && !pins
                .iter()
                .any(|pin| pin.eq_ignore_ascii_case(&wheel.sha256))
        {
            bail!(
                "{} has sha256 {}, which is none of the --hash values given for {}",
                wheel.filename,
                wheel.sha256,
                wheel.name
            );
        }
    }
    Ok(())
}

/// The hash that ties a lock to its inputs: the target's CPython, the requirements as written
/// (with their `--hash` pins) and the sources, in order (indexes without credentials, so that
/// a changed password does not make the lock stale).
pub fn inputs_hash(
    target: &Target,
    requirements: &requirements::Requirements,
    sources: &[Source],
) -> String {
    let mut hasher = Sha256::new();
    let mut line = |text: &str| {
        hasher.update(text.as_bytes());
        hasher.update(b"\n");
    };
    line(&format!("python {}", target.python()));
    for requirement in &requirements.requirements {
        line(&format!("requirement {requirement}"));
    }
    for (name, hashes) in &requirements.hashes {
        line(&format!("hashes {name} {}", hashes.join(" ")));
    }
    for source in sources {
        match source {
            Source::Index(_) => line(&format!("index {}", source.describe())),
            Source::FindLinks { dir, names } => {
                let mut names = names.clone();
                names.sort();
                line(&format!("find-links {dir} {}", names.join(" ")));
            }
        }
    }
    let digest = hasher.finalize();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}
