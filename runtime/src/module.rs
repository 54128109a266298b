//! `componentize_py_runtime`: the built-in module through which Python reaches the runtime. The
//! generated bindings call `call_import`; the bundle finder uses the `_bundle_*` functions.

use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::{bundle, world};

/// The runtime's Python module.
#[pymodule]
pub mod componentize_py_runtime {
    use super::*;

    /// Calls imported function `index` (from the world table) with `args`, returning its result.
    /// A `result` return type raises `componentize_py_types.Err` on error when the table says so.
    #[pyfunction]
    fn call_import<'py>(
        py: Python<'py>,
        index: u32,
        args: &Bound<'py, PyTuple>,
    ) -> PyResult<Bound<'py, PyAny>> {
        world::get(py)?.call_import(py, index, args)
    }

    /// Drops `handle` of resource `resource`; imported resources' finalizers call this.
    #[pyfunction]
    fn drop_resource(py: Python<'_>, resource: u32, handle: u32) -> PyResult<()> {
        world::get(py)?.drop_handle(resource, handle)
    }

    /// Finds a module in the bundles: `(origin, is_package)` or `None`.
    #[pyfunction]
    fn _bundle_find(fullname: &str) -> Option<(String, bool)> {
        bundle::find(fullname)
    }

    /// The directories that make namespace package `fullname`, across the bundles (empty if
    /// none has it).
    #[pyfunction]
    fn _bundle_namespace(fullname: &str) -> Vec<String> {
        bundle::namespace_portions(fullname)
    }

    /// Finds module `name` (one identifier) in directory `dir` of a bundle: `(origin,
    /// is_package)` or `None`.
    #[pyfunction]
    fn _bundle_find_in(dir: &str, name: &str) -> Option<(String, bool)> {
        bundle::find_in(dir, name)
    }

    /// Whether `path` is a bundle or a directory inside one.
    #[pyfunction]
    fn _bundle_is_dir(path: &str) -> bool {
        bundle::is_dir(path)
    }

    /// The modules and packages directly inside directory `dir` of a bundle:
    /// `[(name, is_package)]`.
    #[pyfunction]
    fn _bundle_list(dir: &str) -> Vec<(String, bool)> {
        bundle::list(dir)
    }

    /// Everything directly inside directory `dir` of a bundle: `[(name, is_dir)]`.
    #[pyfunction]
    fn _bundle_children(dir: &str) -> Vec<(String, bool)> {
        bundle::children(dir)
    }

    /// Whether `path` is a file in a bundle.
    #[pyfunction]
    fn _bundle_is_file(path: &str) -> bool {
        bundle::is_file(path)
    }

    /// The contents of a bundle entry by its full path, or `None`.
    #[pyfunction]
    fn _bundle_read(py: Python<'_>, path: &str) -> Option<Py<pyo3::types::PyBytes>> {
        bundle::read(path).map(|data| pyo3::types::PyBytes::new(py, &data).unbind())
    }

    /// The guest paths of the bundles.
    #[pyfunction]
    fn _bundle_paths() -> Vec<String> {
        bundle::paths()
    }
}
