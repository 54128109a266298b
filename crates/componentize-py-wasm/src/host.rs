//! The command line's [`Host`] over a JS object, for the npm package's binary: Node's `fs`,
//! `process.env` and stdio on the JS side.
//!
//! The JS contract (all synchronous):
//!
//! * `kind(path)`: `"file"`, `"dir"` or `null` (following links);
//! * `read(path)`: a `Uint8Array`; `list(path)`: the entry names of a directory;
//! * `writeFile(path, bytes)`: creates parent directories and writes the file atomically;
//! * `env(name)`: a string or `undefined`;
//! * `print(line)`, `eprint(line)`: stdout and stderr;
//! * `now()`: milliseconds, for the progress lines;
//! * `fetchAll(requests)`: fetches `[{ url, accept?, authorization? }]` (see
//!   [`crate::answers::JsRequest`]; in parallel, blocking until all are done) and returns,
//!   for each, a `Uint8Array`, `null` for a 404 or 410, or `{ error }`;
//! * `cachedWheel(sha256)`: a cached wheel's `Uint8Array` or `null`; `cacheWheel(sha256, bytes)`.

use std::path::Path;

use anyhow::{Result, anyhow};
use componentize_py_command::{FileSystem, Host, Kind, PackageHost};
use componentize_py_core::Runtime;
use componentize_py_deps::Request;
use js_sys::{Array, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

use crate::answers::JsRequest;
use crate::engine::{JsEngine, JsEngineRef, error_message};

#[wasm_bindgen]
extern "C" {
    /// The JS host object.
    pub type JsHost;

    #[wasm_bindgen(method)]
    fn kind(this: &JsHost, path: &str) -> Option<String>;

    #[wasm_bindgen(method, catch)]
    fn read(this: &JsHost, path: &str) -> Result<Uint8Array, JsValue>;

    #[wasm_bindgen(method, catch)]
    fn list(this: &JsHost, path: &str) -> Result<Vec<String>, JsValue>;

    #[wasm_bindgen(method, catch, js_name = writeFile)]
    fn write_file(this: &JsHost, path: &str, bytes: Uint8Array) -> Result<(), JsValue>;

    #[wasm_bindgen(method)]
    fn env(this: &JsHost, name: &str) -> Option<String>;

    #[wasm_bindgen(method)]
    fn print(this: &JsHost, line: &str);

    #[wasm_bindgen(method)]
    fn eprint(this: &JsHost, line: &str);

    #[wasm_bindgen(method)]
    fn now(this: &JsHost) -> f64;

    #[wasm_bindgen(method, catch, js_name = fetchAll)]
    fn fetch_all(this: &JsHost, requests: Array) -> Result<Array, JsValue>;

    #[wasm_bindgen(method, js_name = cachedWheel)]
    fn cached_wheel(this: &JsHost, sha256: &str) -> Option<Uint8Array>;

    #[wasm_bindgen(method, js_name = cacheWheel)]
    fn cache_wheel(this: &JsHost, sha256: &str, bytes: Uint8Array);
}

/// The JS host with the runtime artifacts and the pre-init engine.
pub struct CliHost {
    js: JsHost,
    module: Vec<u8>,
    stdlib: Vec<u8>,
    engine: Option<JsEngine>,
}

impl CliHost {
    /// Wraps the JS host.
    pub fn new(js: JsHost, module: Vec<u8>, stdlib: Vec<u8>, engine: JsEngine) -> Self {
        Self {
            js,
            module,
            stdlib,
            engine: Some(engine),
        }
    }
}

fn text(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

impl FileSystem for CliHost {
    fn kind(&self, path: &Path) -> Option<Kind> {
        match self.js.kind(&text(path)).as_deref() {
            Some("file") => Some(Kind::File),
            Some("dir") => Some(Kind::Dir),
            _ => None,
        }
    }

    fn read(&self, path: &Path) -> Result<Vec<u8>> {
        self.js
            .read(&text(path))
            .map(|bytes| bytes.to_vec())
            .map_err(|e| anyhow!("{}", error_message(&e)))
    }

    fn list(&self, path: &Path) -> Result<Vec<String>> {
        self.js
            .list(&text(path))
            .map_err(|e| anyhow!("{}", error_message(&e)))
    }
}

impl Host for CliHost {
    type Engine = JsEngineRef;

    fn env(&self, name: &str) -> Option<String> {
        self.js.env(name)
    }

    fn write_file(&mut self, path: &Path, bytes: &[u8]) -> Result<()> {
        self.js
            .write_file(&text(path), Uint8Array::from(bytes))
            .map_err(|e| anyhow!("writing {}: {}", path.display(), error_message(&e)))
    }

    fn print(&self, line: &str) {
        self.js.print(line);
    }

    fn eprint(&self, line: &str) {
        self.js.eprint(line);
    }

    fn now_ms(&self) -> f64 {
        self.js.now()
    }

    fn runtime(&self) -> Runtime<'_> {
        Runtime {
            module: &self.module,
            stdlib: &self.stdlib,
        }
    }

    fn engine(&mut self) -> Result<Self::Engine> {
        self.engine
            .take()
            .map(JsEngineRef)
            .ok_or_else(|| anyhow!("the engine was already used"))
    }
}

impl PackageHost for CliHost {
    fn fetch(&mut self, requests: &[Request]) -> Vec<Result<Option<Vec<u8>>>> {
        if requests.is_empty() {
            return Vec::new();
        }
        let list: Vec<JsRequest> = requests.iter().map(JsRequest::new).collect();
        let answers = match crate::to_js(&list)
            .map_err(JsValue::from)
            .and_then(|list| self.js.fetch_all(list.unchecked_into()))
        {
            Ok(answers) => answers,
            Err(e) => {
                let message = error_message(&e);
                return requests.iter().map(|_| Err(anyhow!("{message}"))).collect();
            }
        };
        requests
            .iter()
            .enumerate()
            .map(|(i, request)| {
                let answer = answers.get(i as u32);
                if answer.is_null() {
                    Ok(None)
                } else if answer.is_instance_of::<Uint8Array>() {
                    Ok(Some(Uint8Array::new(&answer).to_vec()))
                } else {
                    let error = Reflect::get(&answer, &"error".into())
                        .ok()
                        .and_then(|e| e.as_string())
                        .unwrap_or_else(|| format!("fetching {}: no answer", request.url));
                    Err(anyhow!("{error}"))
                }
            })
            .collect()
    }

    fn cached_wheel(&mut self, sha256: &str) -> Option<Vec<u8>> {
        self.js.cached_wheel(sha256).map(|bytes| bytes.to_vec())
    }

    fn cache_wheel(&mut self, sha256: &str, bytes: &[u8]) {
        self.js.cache_wheel(sha256, Uint8Array::from(bytes));
    }
}
