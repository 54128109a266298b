//! The pre-init [`Engine`] over a JS object: the JS side instantiates the instrumented runtime
//! with the WebAssembly API and a WASI preview1 shim (`web/src/engine.js`), and Wizer reads the
//! initialised instance's globals and memories back through it.
//!
//! The JS contract:
//!
//! * `engine.initialize(module: Uint8Array, files: [name, Uint8Array][], abi)` instantiates and
//!   initialises `module` as [`Engine`] requires, and returns an instance object. `abi` carries
//!   the constants of `componentize-py-abi` (`dir`, `args`, `export`) so JS need not repeat them.
//!   It throws on failure, with the guest's stderr text as `error.stderr`.
//! * `instance.globalGet(name)`: the value of an exported global (a number for i32, f32 and f64,
//!   a BigInt for i64).
//! * `instance.memory(name)`: a `Uint8Array` over (or a copy of) an exported memory.

use std::collections::HashMap;
use std::future::{Future, ready};

use componentize_py_abi::{INIT_ARGS, INIT_DIR, INIT_EXPORT};
use componentize_py_core::{Engine, InitError};
use js_sys::{Array, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasmtime_wizer::{InstanceState, SnapshotVal, ValType};

#[wasm_bindgen]
extern "C" {
    /// The JS engine object.
    pub type JsEngine;

    #[wasm_bindgen(method, catch)]
    fn initialize(
        this: &JsEngine,
        module: Uint8Array,
        files: Array,
        abi: JsValue,
    ) -> Result<JsInstance, JsValue>;

    /// An initialised instance returned by `JsEngine.initialize`.
    pub type JsInstance;

    #[wasm_bindgen(method, catch, js_name = globalGet)]
    fn global_get(this: &JsInstance, name: &str) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(method, catch)]
    fn memory(this: &JsInstance, name: &str) -> Result<Uint8Array, JsValue>;
}

/// Wraps a JS engine object.
pub struct JsEngineRef(pub JsEngine);

/// An instance initialised by the JS engine.
pub struct Initialized {
    instance: JsInstance,
    /// Memory contents copied out of JS: Wizer reads each memory twice.
    memories: HashMap<String, Vec<u8>>,
}

/// The `message` of a thrown JS value (or its string form).
pub fn error_message(error: &JsValue) -> String {
    if let Some(error) = error.dyn_ref::<js_sys::Error>() {
        return String::from(error.message());
    }
    if let Some(text) = error.as_string() {
        return text;
    }
    String::from(js_sys::JsString::from(error.clone()))
}

/// The ABI constants handed to the JS engine: `{ dir, args, export }`.
fn abi() -> Result<JsValue, JsError> {
    #[derive(serde::Serialize)]
    struct Abi {
        dir: &'static str,
        args: &'static [&'static str],
        export: &'static str,
    }
    crate::to_js(&Abi {
        dir: INIT_DIR,
        args: INIT_ARGS,
        export: INIT_EXPORT,
    })
}

impl Engine for JsEngineRef {
    type Instance = Initialized;

    fn initialize(
        &mut self,
        module: &[u8],
        files: &[(String, Vec<u8>)],
    ) -> Result<Initialized, InitError> {
        let list: Array = files
            .iter()
            .map(|(name, bytes)| {
                let pair = Array::new();
                pair.push(&JsValue::from_str(name));
                pair.push(&Uint8Array::from(bytes.as_slice()));
                JsValue::from(pair)
            })
            .collect();
        let abi = abi().map_err(|e| InitError {
            message: error_message(&e.into()),
            stderr: String::new(),
        })?;
        match self.0.initialize(Uint8Array::from(module), list, abi) {
            Ok(instance) => Ok(Initialized {
                instance,
                memories: HashMap::new(),
            }),
            Err(error) => {
                let stderr = Reflect::get(&error, &"stderr".into())
                    .ok()
                    .and_then(|s| s.as_string())
                    .unwrap_or_default();
                Err(InitError {
                    message: error_message(&error),
                    stderr,
                })
            }
        }
    }
}

// Wizer requires `Send` futures; the JS calls happen synchronously before the (ready) future is
// returned, so nothing JS is held across an await.
impl InstanceState for Initialized {
    fn global_get(&mut self, name: &str, ty: ValType) -> impl Future<Output = SnapshotVal> + Send {
        let value = self
            .instance
            .global_get(name)
            .unwrap_or_else(|e| panic!("reading global `{name}`: {}", error_message(&e)));
        let number = || {
            value
                .as_f64()
                .unwrap_or_else(|| panic!("global `{name}` is not a number"))
        };
        ready(match ty {
            ValType::I32 => SnapshotVal::I32(number() as i32),
            ValType::F32 => SnapshotVal::F32((number() as f32).to_bits()),
            ValType::F64 => SnapshotVal::F64(number().to_bits()),
            ValType::I64 => SnapshotVal::I64(
                i64::try_from(value.clone())
                    .unwrap_or_else(|_| panic!("global `{name}` is not a BigInt")),
            ),
            other => panic!("global `{name}` has unsupported type {other:?}"),
        })
    }

    fn memory_contents(
        &mut self,
        name: &str,
        contents: impl FnOnce(&[u8]) + Send,
    ) -> impl Future<Output = ()> + Send {
        if !self.memories.contains_key(name) {
            let memory = self
                .instance
                .memory(name)
                .unwrap_or_else(|e| panic!("reading memory `{name}`: {}", error_message(&e)));
            self.memories.insert(name.to_string(), memory.to_vec());
        }
        contents(&self.memories[name]);
        ready(())
    }
}
