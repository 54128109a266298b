//! Pre-initialisation: starts CPython over the bundles, installs the in-memory finder, imports the
//! app, resolves the world, and resets the WASI state that must not reach the snapshot.

use std::ffi::CString;
use std::mem::MaybeUninit;
use std::sync::atomic::{AtomicBool, Ordering};

use componentize_py_abi::{INIT_CONFIG_PATH, InitConfig, decode_config};
use pyo3::ffi;
use pyo3::prelude::*;

use crate::module::componentize_py_runtime;
use crate::{bundle, world};

unsafe extern "C" {
    /// wasi-libc: forget the preopened directories found so far.
    fn __wasilibc_reset_preopens();
    /// wasi-libc: forget the environment read so far.
    fn __wasilibc_deinitialize_environ();
}

/// The Python sources run into the `componentize_py_runtime` module at init: the bundle finder
/// and the hook that takes the run's arguments and environment.
const SOURCES: &[&str] = &[include_str!("finder.py"), include_str!("resume.py")];

/// Runs the whole of init, returning a message (a traceback for Python errors) on failure.
pub fn run() -> Result<(), String> {
    let bytes = std::fs::read(INIT_CONFIG_PATH)
        .map_err(|e| format!("cannot read {INIT_CONFIG_PATH}: {e}"))?;
    let config = decode_config(&bytes)
        .map_err(|e| format!("{INIT_CONFIG_PATH} is not a valid init config: {e}"))?;
    for path in &config.bundles {
        bundle::load(path)?;
    }
    start_python(&config.bundles)?;
    Python::attach(|py| setup(py, config).map_err(|e| traceback(py, &e)))?;
    unsafe {
        __wasilibc_reset_preopens();
        __wasilibc_deinitialize_environ();
    }
    Ok(())
}

fn setup(py: Python<'_>, config: InitConfig) -> PyResult<()> {
    let module = py.import("componentize_py_runtime")?;
    let namespace = module.dict();
    for source in SOURCES {
        let source = CString::new(*source).expect("no NUL in the runtime's Python sources");
        py.run(&source, Some(&namespace), Some(&namespace))?;
    }
    module.getattr("install")?.call0()?;
    if let Some(app) = &config.app_module {
        py.import(app.as_str())?;
    }
    world::set(world::World::resolve(py, config.world)?);
    Ok(())
}

/// Starts an isolated interpreter with a fixed hash seed whose module search path is the bundles.
fn start_python(bundles: &[String]) -> Result<(), String> {
    pyo3::append_to_inittab!(componentize_py_runtime);
    unsafe {
        let mut config = MaybeUninit::<ffi::PyConfig>::uninit();
        ffi::PyConfig_InitIsolatedConfig(config.as_mut_ptr());
        let mut config = config.assume_init();
        config.site_import = 0;
        config.buffered_stdio = 0;
        config.write_bytecode = 0;
        config.install_signal_handlers = 0;
        config.use_hash_seed = 1;
        config.hash_seed = 0;
        config.module_search_paths_set = 1;
        for path in bundles {
            let wide: Vec<libc_wchar> = path.chars().map(|c| c as libc_wchar).chain([0]).collect();
            check(ffi::PyWideStringList_Append(
                &mut config.module_search_paths,
                wide.as_ptr(),
            ))?;
        }
        let status = ffi::Py_InitializeFromConfig(&config);
        ffi::PyConfig_Clear(&mut config);
        check(status)
    }
}

/// `wchar_t` on wasm32-wasi: 32 bits.
#[allow(non_camel_case_types)]
type libc_wchar = i32;

fn check(status: ffi::PyStatus) -> Result<(), String> {
    if unsafe { ffi::PyStatus_Exception(status) } == 0 {
        return Ok(());
    }
    let message = |p: *const std::ffi::c_char| {
        if p.is_null() {
            String::new()
        } else {
            unsafe { std::ffi::CStr::from_ptr(p) }
                .to_string_lossy()
                .into_owned()
        }
    };
    Err(format!(
        "Python failed to start: {} {}",
        message(status.func),
        message(status.err_msg)
    ))
}

/// Hands the run's arguments and environment to Python, once, on the first call after the
/// snapshot (pre-init saw fixed, empty ones).
pub fn resume(py: Python<'_>) -> PyResult<()> {
    static RESUMED: AtomicBool = AtomicBool::new(false);
    if RESUMED.swap(true, Ordering::Relaxed) {
        return Ok(());
    }
    let argv: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let environ: Vec<(String, String)> = std::env::vars_os()
        .map(|(k, v)| {
            (
                k.to_string_lossy().into_owned(),
                v.to_string_lossy().into_owned(),
            )
        })
        .collect();
    py.import("componentize_py_runtime")?
        .getattr("_resume")?
        .call1((argv, environ))?;
    Ok(())
}

/// The traceback of a Python error, as Python would print it.
pub fn traceback(py: Python<'_>, err: &PyErr) -> String {
    let formatted = py.import("traceback").and_then(|tb| {
        let lines = tb.call_method1("format_exception", (err.value(py),))?;
        let text: Vec<String> = lines.extract()?;
        Ok(text.concat())
    });
    formatted.unwrap_or_else(|_| err.to_string())
}
