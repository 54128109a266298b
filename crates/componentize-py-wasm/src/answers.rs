//! The app's dependencies for the asynchronous JS API. Wasm cannot wait for a JS promise, so
//! `componentize()` runs in rounds: each round replays the dependency step with the answers JS
//! has gathered so far ([`Answers`]) and, where one is missing, stops and lists what to fetch or
//! look up in the wheel cache. JS answers those and starts the next round; the round that finds
//! every answer builds the component. The rounds run the same code as the CLI, so the same inputs
//! give the same resolution, lock and bytes.
//!
//! A round asks for all cache lookups it meets before any fetch (a cached wheel is not fetched),
//! and stops at the first batch of fetches with an unanswered URL, so nothing it has no use for is
//! downloaded.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use anyhow::{Result, anyhow};
use componentize_py_command::inputs::MemoryFileSystem;
use componentize_py_command::{FileSystem, Kind, PackageHost};
use componentize_py_deps::{Request, RequestKind, index};
use js_sys::{Array, Uint8Array};
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// One answered fetch.
enum Fetched {
    Bytes(Vec<u8>),
    /// The server said the URL does not exist (404, 410).
    Missing,
    Failed(String),
}

/// The answers JS gathered for the rounds of one build: fetched URLs and cache lookups, plus the
/// verified wheels the rounds want cached.
#[wasm_bindgen]
#[derive(Default)]
pub struct Answers {
    fetched: HashMap<String, Fetched>,
    cached: HashMap<String, Option<Vec<u8>>>,
    cache_writes: Vec<(String, Vec<u8>)>,
    written: HashSet<String>,
}

#[wasm_bindgen]
impl Answers {
    /// No answers yet.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Self {
        Self::default()
    }

    /// Answers the fetch of `url`: a `Uint8Array`, `null` for a 404 or 410, or an error message.
    #[wasm_bindgen(js_name = answerFetch)]
    pub fn answer_fetch(&mut self, url: String, answer: JsValue) {
        let fetched = if answer.is_null() || answer.is_undefined() {
            Fetched::Missing
        } else if let Some(message) = answer.as_string() {
            Fetched::Failed(message)
        } else {
            Fetched::Bytes(Uint8Array::new(&answer).to_vec())
        };
        self.fetched.insert(url, fetched);
    }

    /// Answers the cache lookup of the wheel with SHA-256 `sha256`: its bytes, or nothing.
    #[wasm_bindgen(js_name = answerCached)]
    pub fn answer_cached(&mut self, sha256: String, bytes: Option<Vec<u8>>) {
        self.cached.insert(sha256, bytes);
    }

    /// The verified wheels to store in the cache since the last call: `[[sha256, bytes]]`.
    #[wasm_bindgen(js_name = takeCacheWrites)]
    pub fn take_cache_writes(&mut self) -> Array {
        self.cache_writes
            .drain(..)
            .map(|(sha, bytes)| {
                let pair = Array::new();
                pair.push(&sha.into());
                pair.push(&Uint8Array::from(bytes.as_slice()));
                JsValue::from(pair)
            })
            .collect()
    }
}

/// One round: the app's files and the answers, and what the round found unanswered.
pub struct Round<'a> {
    files: &'a MemoryFileSystem,
    answers: &'a mut Answers,
    lookups: Vec<String>,
    fetches: Vec<Request>,
    stopped: bool,
}

impl<'a> Round<'a> {
    /// A round over `files` with `answers`.
    pub fn new(files: &'a MemoryFileSystem, answers: &'a mut Answers) -> Self {
        Self {
            files,
            answers,
            lookups: Vec::new(),
            fetches: Vec::new(),
            stopped: false,
        }
    }

    /// What JS must answer before the next round, `{ fetch: [request], cached: [sha256] }` (see
    /// [`JsRequest`]), or `None` if the round had every answer it needed (its result stands).
    pub fn pending(&self) -> Option<Pending<'_>> {
        if self.lookups.is_empty() && self.fetches.is_empty() {
            return None;
        }
        Some(Pending {
            fetch: self.fetches.iter().map(JsRequest::new).collect(),
            cached: &self.lookups,
        })
    }

    fn stopped(&self, requests: &[Request]) -> Vec<Result<Option<Vec<u8>>>> {
        requests
            .iter()
            .map(|r| Err(anyhow!("{} is not fetched yet", r.url)))
            .collect()
    }
}

/// What a round is missing: the fetches to make and the wheel cache lookups to answer.
#[derive(Serialize)]
pub struct Pending<'a> {
    fetch: Vec<JsRequest<'a>>,
    cached: &'a [String],
}

/// A request as JS fetches it: `{ url, accept?, authorization? }`, the last two being the
/// headers to send (`accept` for project pages, `authorization` for an index with credentials).
#[derive(Serialize)]
pub struct JsRequest<'a> {
    url: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    accept: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    authorization: Option<&'a str>,
}

impl<'a> JsRequest<'a> {
    /// How JS is asked to fetch `request`.
    pub fn new(request: &'a Request) -> Self {
        Self {
            url: &request.url,
            accept: (request.kind == RequestKind::Page).then_some(index::ACCEPT),
            authorization: request.authorization.as_deref(),
        }
    }
}

impl FileSystem for Round<'_> {
    fn kind(&self, path: &Path) -> Option<Kind> {
        self.files.kind(path)
    }

    fn read(&self, path: &Path) -> Result<Vec<u8>> {
        self.files.read(path)
    }

    fn list(&self, path: &Path) -> Result<Vec<String>> {
        self.files.list(path)
    }
}

impl PackageHost for Round<'_> {
    fn fetch(&mut self, requests: &[Request]) -> Vec<Result<Option<Vec<u8>>>> {
        if self.stopped {
            return self.stopped(requests);
        }
        // Cache lookups come first: a wheel found there is not fetched.
        let unanswered: Vec<Request> = requests
            .iter()
            .filter(|r| !self.answers.fetched.contains_key(&r.url))
            .cloned()
            .collect();
        if !self.lookups.is_empty() || !unanswered.is_empty() {
            if self.lookups.is_empty() {
                self.fetches = unanswered;
            }
            self.stopped = true;
            return self.stopped(requests);
        }
        requests
            .iter()
            .map(|request| match &self.answers.fetched[&request.url] {
                Fetched::Bytes(bytes) => Ok(Some(bytes.clone())),
                Fetched::Missing => Ok(None),
                Fetched::Failed(message) => Err(anyhow!("{message}")),
            })
            .collect()
    }

    fn cached_wheel(&mut self, sha256: &str) -> Option<Vec<u8>> {
        if self.stopped {
            return None;
        }
        match self.answers.cached.get(sha256) {
            Some(answer) => answer.clone(),
            None => {
                if !self.lookups.iter().any(|s| s == sha256) {
                    self.lookups.push(sha256.to_string());
                }
                None
            }
        }
    }

    fn cache_wheel(&mut self, sha256: &str, bytes: &[u8]) {
        if self.answers.written.insert(sha256.to_string()) {
            self.answers
                .cache_writes
                .push((sha256.to_string(), bytes.to_vec()));
        }
    }
}
