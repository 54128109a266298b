//! `SystemExit` escaping an export: `sys.exit()`, `exit()`, `raise SystemExit(...)`.
//!
//! componentize-py 0.25.1 hands such an exception to CPython's top-level handler, which prints a
//! non-integer code on stderr, runs the `atexit` callbacks and exits the process with the code
//! (through WASI, status 0 for code 0 and 1 for any other). We do the same, except in
//! `wasi:cli/run`'s `run`, where the code becomes the function's result (`ok` for 0, `err`
//! otherwise): the command ends with the same status, and a host that calls `run` in process gets
//! an answer instead of a dead instance.

use pyo3::exceptions::PySystemExit;
use pyo3::prelude::*;
use pyo3::types::PyInt;

use componentize_py_abi::ExportFunction;

/// Whether `err` is a `SystemExit`.
pub fn is_system_exit(py: Python<'_>, err: &PyErr) -> bool {
    err.is_instance_of::<PySystemExit>(py)
}

/// Whether `export` is `run` of `wasi:cli/run` (any version).
pub fn is_cli_run(export: &ExportFunction) -> bool {
    let Some((interface, function)) = export.name.split_once('#') else {
        return false;
    };
    let interface = interface
        .split_once('@')
        .map_or(interface, |(name, _)| name);
    interface == "wasi:cli/run"
        && function == "run"
        && export.signature.params.is_empty()
        && export.signature.result_raises
}

/// Finishes the process's Python side the way CPython's top level does for `err`, a
/// `SystemExit`: prints a code that is neither `None` nor an integer on stderr, runs the `atexit`
/// callbacks and flushes stdout and stderr. Returns the exit code (0 for `None`, 1 for a code
/// that is not an integer).
pub fn finish(py: Python<'_>, err: &PyErr) -> i32 {
    let value = err.value(py);
    let code = value
        .getattr("code")
        .unwrap_or_else(|_| value.clone().into_any());
    let status = if code.is_none() {
        0
    } else if code.is_instance_of::<PyInt>() {
        // CPython reads the code as a C `long` and exits with it cast to `int`.
        code.extract::<i32>().unwrap_or(-1)
    } else {
        print_to_stderr(py, &code);
        1
    };
    if let Err(e) = py
        .import("atexit")
        .and_then(|atexit| atexit.call_method0("_run_exitfuncs"))
    {
        e.print(py);
    }
    for stream in ["stdout", "stderr"] {
        if let Ok(stream) = py.import("sys").and_then(|sys| sys.getattr(stream))
            && !stream.is_none()
        {
            let _ = stream.call_method0("flush");
        }
    }
    status
}

/// Writes `str(code)` and a newline to `sys.stderr` (or the process's stderr without one).
fn print_to_stderr(py: Python<'_>, code: &Bound<'_, PyAny>) {
    let Ok(text) = code.str() else {
        return;
    };
    let written = py.import("sys").and_then(|sys| {
        let stderr = sys.getattr("stderr")?;
        if stderr.is_none() {
            return Err(PySystemExit::new_err(()));
        }
        stderr.call_method1("write", (&text,))?;
        stderr.call_method1("write", ("\n",))?;
        Ok(())
    });
    if written.is_err() {
        eprintln!("{}", text.to_string_lossy());
    }
}
