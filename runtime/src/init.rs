//! Pre-initialisation: starts CPython over the bundles, installs the in-memory finder, imports the
//! app, resolves the world, and resets the WASI state that must not reach the snapshot.

use std::mem::MaybeUninit;
use std::sync::atomic::{AtomicBool, Ordering};

use componentize_py_abi::{INIT_CONFIG_PATH, InitConfig, decode_config};
use pyo3::ffi;
use pyo3::prelude::*;

use crate::module::componentize_py_runtime;
use crate::{bundle, world};

unsafe extern "C" {
    /// libc: sets the locale of `category`.
    fn setlocale(
        category: std::ffi::c_int,
        locale: *const std::ffi::c_char,
    ) -> *mut std::ffi::c_char;
    /// wasi-libc: forget the preopened directories found so far.
    fn __wasilibc_reset_preopens();
    /// wasi-libc: forget the environment read so far.
    fn __wasilibc_deinitialize_environ();
}

/// `LC_CTYPE` in wasi-libc's `<locale.h>`.
const LC_CTYPE: std::ffi::c_int = 0;

/// The Python sources run into the `componentize_py_runtime` module at init, with the file names
/// their code carries: the bundle finder and loader, the builtins `site` would add, and the hook
/// that takes the run's arguments and environment.
///
/// The finder's code is named as CPython's own path finder and loaders are, so that tracebacks
/// drop its frames as they drop those (CPython removes the import system's frames, recognised by
/// that file name, from the traceback of an error raised while importing): an error in a module
/// imported from a bundle shows the importing line and then the module's own frames.
const SOURCES: &[(&str, &str)] = &[
    (
        "<frozen importlib._bootstrap_external>",
        include_str!("finder.py"),
    ),
    ("<componentize-py startup.py>", include_str!("startup.py")),
    ("<componentize-py resume.py>", include_str!("resume.py")),
];

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
    let builtins = py.import("builtins")?;
    for (filename, source) in SOURCES {
        let code = builtins
            .getattr("compile")?
            .call1((*source, *filename, "exec"))?;
        builtins.getattr("exec")?.call1((code, &namespace))?;
    }
    module.getattr("install")?.call0()?;
    module.getattr("_add_site_builtins")?.call0()?;
    if let Some(app) = &config.app_module {
        py.import(app.as_str())?;
    }
    world::set(world::World::resolve(py, config.world)?);
    Ok(())
}

/// Starts an interpreter that ignores the environment, with a fixed hash seed, whose module search
/// path is the bundles.
///
/// Text is UTF-8 whatever the locale of the build or of the run says: Python runs in UTF-8 mode
/// (stdio, file names, `open()` and `locale.getpreferredencoding()`; `surrogateescape` on stdin
/// and stdout), and the C library's character type locale is `C.UTF-8`. componentize-py 0.25.1
/// gets the same encodings another way (its CPython coerces the C locale to `C.UTF-8` and leaves
/// UTF-8 mode off, and its C library never sees the run's environment); here `LC_ALL=C` in the
/// run's environment reaches `setlocale(LC_CTYPE, "")`, so UTF-8 mode keeps text UTF-8 then too.
fn start_python(bundles: &[String]) -> Result<(), String> {
    pyo3::append_to_inittab!(componentize_py_runtime);
    unsafe {
        if setlocale(LC_CTYPE, c"C.UTF-8".as_ptr()).is_null() {
            return Err("Python failed to start: the C.UTF-8 locale is missing".into());
        }
        let mut preconfig = MaybeUninit::<ffi::PyPreConfig>::uninit();
        ffi::PyPreConfig_InitIsolatedConfig(preconfig.as_mut_ptr());
        let mut preconfig = preconfig.assume_init();
        preconfig.isolated = 0;
        preconfig.utf8_mode = 1;
        check(ffi::Py_PreInitialize(&preconfig))?;
        let mut config = MaybeUninit::<ffi::PyConfig>::uninit();
        ffi::PyConfig_InitIsolatedConfig(config.as_mut_ptr());
        let mut config = config.assume_init();
        config.site_import = 0;
        config.buffered_stdio = 0;
        config.install_signal_handlers = 0;
        config.use_hash_seed = 1;
        config.hash_seed = 0;
        // What `sys.flags` shows under componentize-py 0.25.1, where it changes nothing here:
        // the environment is ignored anyway, `site` does not run, sys.path gets no script
        // directory, and the bundle loader writes no bytecode.
        config.isolated = 0;
        config.safe_path = 0;
        config.user_site_directory = 1;
        config.write_bytecode = 1;
        config.module_search_paths_set = 1;
        for path in bundles {
            let wide = wide(path);
            check(ffi::PyWideStringList_Append(
                &mut config.module_search_paths,
                wide.as_ptr(),
            ))?;
        }
        // The standard library's bundle as `sys._stdlib_dir`, so frozen modules (os, stat,
        // codecs, ...) get a `__file__` there, as the bundle's other modules do.
        if let Some(stdlib) = bundles.iter().find(|path| path.ends_with("/stdlib.zip")) {
            let wide = wide(stdlib);
            let config: *mut ffi::PyConfig = &mut config;
            check(ffi::PyConfig_SetString(
                config,
                &raw mut (*config).stdlib_dir,
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

/// `text` as a NUL-terminated wide string.
fn wide(text: &str) -> Vec<libc_wchar> {
    text.chars().map(|c| c as libc_wchar).chain([0]).collect()
}

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
