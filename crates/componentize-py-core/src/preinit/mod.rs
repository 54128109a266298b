//! Pre-initialisation through an [`Engine`]: Wizer instruments the runtime, the engine runs its
//! init with the app's files, and Wizer snapshots the initialised state into a new module. The
//! core crate holds no engine: natively wasmtime implements the trait, in JS the WebAssembly API.

use std::future::Future;
use std::pin::pin;
use std::task::{Context as TaskContext, Poll, Waker};

use anyhow::{Result, anyhow};
use wasmtime_wizer::{InstanceState, Wizer};

mod determinism;

/// Why an engine could not initialise the runtime.
#[derive(Debug)]
pub struct InitError {
    /// What went wrong (a trap, a link error).
    pub message: String,
    /// What the guest printed to stderr: for Python errors, the traceback.
    pub stderr: String,
}

/// An engine that can run the Wizer-instrumented runtime's init.
///
/// `initialize` must instantiate `module` with WASI preview1 whose only preopen is
/// [`componentize_py_abi::INIT_DIR`] holding `files` (name → bytes) in the order given, with no
/// environment variables and [`componentize_py_abi::INIT_ARGS`] as arguments, and with wasmtime's
/// preview1 semantics for descriptors, so that every engine produces the same snapshot (clocks,
/// random bytes and stats are fixed inside `module`). It calls `_initialize` when the module
/// exports it, then [`componentize_py_abi::INIT_EXPORT`].
pub trait Engine {
    /// The initialised instance, whose globals and memory Wizer reads.
    type Instance: InstanceState;

    /// Instantiates and initialises `module`.
    fn initialize(
        &mut self,
        module: &[u8],
        files: &[(String, Vec<u8>)],
    ) -> Result<Self::Instance, InitError>;
}

/// The runtime instrumented for pre-initialisation, and the context to snapshot it with.
pub struct Instrumented<'a> {
    wizer: Wizer,
    context: wasmtime_wizer::ModuleContext<'a>,
    /// The instrumented module the engine runs.
    pub module: Vec<u8>,
}

/// Instruments `runtime` for pre-initialisation, with its host-dependent imports made fixed
/// (see [`determinism`]).
pub fn instrument(runtime: &[u8]) -> Result<Instrumented<'_>> {
    let wizer = Wizer::new();
    let (context, module) = wizer
        .instrument(runtime)
        .map_err(|e| anyhow!("instrumenting the runtime: {e}"))?;
    let module = determinism::normalize(&module)?;
    Ok(Instrumented {
        wizer,
        context,
        module,
    })
}

impl Instrumented<'_> {
    /// Snapshots an instance the engine initialised into the pre-initialised module.
    pub fn snapshot(&self, instance: &mut impl InstanceState) -> Result<Vec<u8>> {
        let snapshot = poll_once(self.wizer.snapshot(&self.context, instance))
            .ok_or_else(|| anyhow!("the snapshot did not complete synchronously"))?;
        snapshot.map_err(|e| anyhow!("snapshotting the runtime: {e}"))
    }
}

/// Polls a future once: Wizer's snapshot over a synchronous engine completes on the first poll.
fn poll_once<F: Future>(future: F) -> Option<F::Output> {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut TaskContext::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => Some(output),
        Poll::Pending => None,
    }
}
