//! The native pre-init engine: wasmtime with WASI preview1 and a cache of the compiled
//! instrumented runtime (identical for every app). The clocks, random bytes and stats the module
//! reads are fixed inside it (`componentize_py_core::preinit`), so this engine only instantiates
//! it and preopens the init files.

use std::path::PathBuf;

use componentize_py_abi::{INIT_ARGS, INIT_DIR, INIT_EXPORT};
use componentize_py_core::{Engine, InitError};
use sha2::{Digest, Sha256};
use wasmtime::{Config, Instance, Linker, Module, Store};
use wasmtime_wasi::p1::{self, WasiP1Ctx};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{FsPerms, WasiCtxBuilder};
use wasmtime_wizer::{InstanceState, SnapshotVal, ValType};

/// Pre-initialises with wasmtime.
pub struct WasmtimeEngine {
    engine: wasmtime::Engine,
    cache: Option<PathBuf>,
}

impl WasmtimeEngine {
    /// An engine caching compiled code under `cache` (if any).
    pub fn new(cache: Option<PathBuf>) -> anyhow::Result<Self> {
        Ok(Self {
            engine: wasmtime::Engine::new(&Config::new())?,
            cache,
        })
    }

    /// Compiles `wasm`, or loads its compiled code from the cache.
    fn module(&self, wasm: &[u8]) -> anyhow::Result<Module> {
        let Some(dir) = &self.cache else {
            return Module::new(&self.engine, wasm).map_err(Into::into);
        };
        let mut hasher = Sha256::new();
        hasher.update(env!("CARGO_PKG_VERSION"));
        let mut compatibility = std::hash::DefaultHasher::new();
        std::hash::Hash::hash(
            &self.engine.precompile_compatibility_hash(),
            &mut compatibility,
        );
        hasher.update(std::hash::Hasher::finish(&compatibility).to_le_bytes());
        hasher.update(wasm);
        let key: String = hasher
            .finalize()
            .iter()
            .take(16)
            .map(|b| format!("{b:02x}"))
            .collect();
        let path = dir.join(format!("{key}.cwasm"));
        if path.is_file() {
            // SAFETY: the file was written by `Engine::precompile_module` of this same engine
            // configuration (the key covers it) into our own cache directory.
            if let Ok(module) = unsafe { Module::deserialize_file(&self.engine, &path) } {
                return Ok(module);
            }
        }
        let compiled = self.engine.precompile_module(wasm)?;
        std::fs::create_dir_all(dir)?;
        let partial = path.with_extension(format!("{}.partial", std::process::id()));
        std::fs::write(&partial, &compiled)?;
        std::fs::rename(&partial, &path)?;
        // SAFETY: as above, these bytes come from `precompile_module` just now.
        Ok(unsafe { Module::deserialize(&self.engine, &compiled)? })
    }
}

/// An initialised runtime instance, read by Wizer's snapshot.
pub struct Initialized {
    store: Store<WasiP1Ctx>,
    instance: Instance,
}

impl InstanceState for Initialized {
    async fn global_get(&mut self, name: &str, _: ValType) -> SnapshotVal {
        let global = self
            .instance
            .get_global(&mut self.store, name)
            .expect("instrumented global");
        match global.get(&mut self.store) {
            wasmtime::Val::I32(x) => SnapshotVal::I32(x),
            wasmtime::Val::I64(x) => SnapshotVal::I64(x),
            wasmtime::Val::F32(x) => SnapshotVal::F32(x),
            wasmtime::Val::F64(x) => SnapshotVal::F64(x),
            wasmtime::Val::V128(x) => SnapshotVal::V128(x.as_u128()),
            _ => panic!("unsupported global type"),
        }
    }

    async fn memory_contents(&mut self, name: &str, contents: impl FnOnce(&[u8]) + Send) {
        let memory = self
            .instance
            .get_memory(&mut self.store, name)
            .expect("instrumented memory");
        contents(memory.data(&self.store))
    }
}

impl Engine for WasmtimeEngine {
    type Instance = Initialized;

    fn initialize(
        &mut self,
        module: &[u8],
        files: &[(String, Vec<u8>)],
    ) -> Result<Initialized, InitError> {
        let fail = |message: String| InitError {
            message,
            stderr: String::new(),
        };
        let module = self
            .module(module)
            .map_err(|e| fail(format!("compiling the runtime: {e}")))?;
        let dir = tempfile::Builder::new()
            .prefix("componentize-py-init-")
            .tempdir()
            .map_err(|e| fail(format!("creating the init directory: {e}")))?;
        for (name, bytes) in files {
            std::fs::write(dir.path().join(name), bytes)
                .map_err(|e| fail(format!("writing {name}: {e}")))?;
        }
        let stderr = MemoryOutputPipe::new(1 << 20);
        let wasi = WasiCtxBuilder::new()
            .args(INIT_ARGS)
            .stdout(MemoryOutputPipe::new(1 << 20))
            .stderr(stderr.clone())
            .preopened_dir(dir.path(), INIT_DIR, FsPerms::ReadOnly)
            .map_err(|e| fail(format!("preopening the init directory: {e}")))?
            .build_p1();
        let mut store = Store::new(&self.engine, wasi);
        let run = |store: &mut Store<WasiP1Ctx>| -> anyhow::Result<Instance> {
            let mut linker = Linker::new(&self.engine);
            p1::add_to_linker_sync(&mut linker, |ctx| ctx)?;
            let instance = linker.instantiate(&mut *store, &module)?;
            if let Ok(initialize) = instance.get_typed_func::<(), ()>(&mut *store, "_initialize") {
                initialize.call(&mut *store, ())?;
            }
            instance
                .get_typed_func::<(), ()>(&mut *store, INIT_EXPORT)?
                .call(&mut *store, ())?;
            Ok(instance)
        };
        match run(&mut store) {
            Ok(instance) => Ok(Initialized { store, instance }),
            Err(error) => Err(InitError {
                message: format!("{error:?}"),
                stderr: String::from_utf8_lossy(&stderr.contents()).into_owned(),
            }),
        }
    }
}
