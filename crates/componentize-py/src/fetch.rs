//! HTTP for the dependency resolver: a blocking ureq agent that trusts the platform's
//! certificates, a few requests at a time on scoped threads, and the wheel cache.

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::{Result, anyhow};
use componentize_py_deps::{Request, RequestKind, index};
use ureq::tls::{RootCerts, TlsConfig};

/// Requests in flight at once.
const PARALLEL: usize = 8;

/// How long connecting may take, and how long a read may wait for the next bytes: a server that
/// stalls fails the build instead of hanging it.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
const READ_TIMEOUT: Duration = Duration::from_secs(60);

/// The largest body accepted (a wheel).
const MAX_BODY: u64 = 1 << 30;

/// One answer: the bytes, `None` for 404 and 410, or what failed.
type Answer = Result<Option<Vec<u8>>>;

/// The agent every fetch of a run shares.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_connect(Some(CONNECT_TIMEOUT))
        .timeout_per_read(Some(READ_TIMEOUT))
        .tls_config(
            TlsConfig::builder()
                .root_certs(RootCerts::PlatformVerifier)
                .build(),
        )
        .user_agent(concat!("componentize-py/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

/// Fetches every request, `PARALLEL` at a time; answers come back in request order.
pub fn fetch_all(agent: &ureq::Agent, requests: &[Request]) -> Vec<Answer> {
    let next = AtomicUsize::new(0);
    let answers: Mutex<Vec<Option<Answer>>> =
        Mutex::new((0..requests.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..PARALLEL.min(requests.len()) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(request) = requests.get(i) else {
                        break;
                    };
                    let answer = fetch_one(agent, request);
                    answers.lock().expect("no panics while held")[i] = Some(answer);
                }
            });
        }
    });
    answers
        .into_inner()
        .expect("no panics while held")
        .into_iter()
        .map(|answer| answer.unwrap_or_else(|| Err(anyhow!("not fetched"))))
        .collect()
}

/// Fetches one request, with its `Authorization` header if it has one.
fn fetch_one(agent: &ureq::Agent, request: &Request) -> Answer {
    let shown = &request.url;
    let mut get = agent.get(&request.url);
    if request.kind == RequestKind::Page {
        get = get.header("Accept", index::ACCEPT);
    }
    if let Some(authorization) = &request.authorization {
        get = get.header("Authorization", authorization);
    }
    let mut response = get.call().map_err(|e| anyhow!("fetching {shown}: {e}"))?;
    match response.status().as_u16() {
        200 => response
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .read_to_vec()
            .map(Some)
            .map_err(|e| anyhow!("fetching {shown}: {e}")),
        404 | 410 => Ok(None),
        status => Err(anyhow!("fetching {shown}: HTTP status {status}")),
    }
}

/// The wheel cache: `<cache root>/wheels/<sha256>.whl`.
pub struct WheelCache(pub Option<PathBuf>);

impl WheelCache {
    fn path(&self, sha256: &str) -> Option<PathBuf> {
        let valid = sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit());
        Some(self.0.as_ref()?.join(format!("{sha256}.whl"))).filter(|_| valid)
    }

    /// The cached wheel with this hash, if any.
    pub fn get(&self, sha256: &str) -> Option<Vec<u8>> {
        std::fs::read(self.path(sha256)?).ok()
    }

    /// Stores a verified wheel, replacing a damaged copy; errors only cost a later download.
    pub fn put(&self, sha256: &str, bytes: &[u8]) {
        let Some(path) = self.path(sha256) else {
            return;
        };
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let _ = crate::write_atomically(&path, bytes);
    }
}
