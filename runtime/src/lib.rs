//! The guest runtime of componentize-py: CPython 3.14 for wasm32-wasip1 with a table-driven
//! canonical-ABI interpreter, built once and used unchanged for every app and every WIT world.
//!
//! The interface between this module, the componentizer and its generated glue is specified in
//! the `componentize-py-abi` crate, whose constants name every export used here:
//!
//! | export | signature | role |
//! |---|---|---|
//! | `wizer-initialize` | `()` | pre-init: read the [`InitConfig`], start Python, import the app |
//! | `componentize-py#export-args` | `() -> i32` | the argument area the export glue fills |
//! | `componentize-py#call-export` | `(func: i32) -> i32` | call an export; address of its results |
//! | `componentize-py#post-return` | `(func: i32)` | free the last results of `func` |
//! | `componentize-py#resource-dtor` | `(resource: i32, rep: i32)` | exported resource destructor |
//! | `cabi_realloc` | `(i32, i32, i32, i32) -> i32` | the canonical-ABI allocator |
//!
//! Imports go out through the dispatch glue at the table index the world table names, so the
//! module imports nothing but `wasi_snapshot_preview1`.
//!
//! Lifting (memory or flat slots → Python) lives in [`lift`], lowering in [`lower`], the shared
//! layout and memory plumbing in [`abi`]. Errors at run time print the Python traceback to stderr
//! and trap, before any result is handed back.
//!
//! [`InitConfig`]: componentize_py_abi::InitConfig

pub mod abi;
mod bundle;
mod exit;
mod init;
pub mod lift;
pub mod lower;
mod module;
mod world;

use std::io::Write;
use std::sync::Mutex;

use componentize_py_abi::{ARG_SLOT_SIZE, ARG_SLOTS};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::abi::{Block, FlatReader, FlatWriter};
use crate::lift::Lifter;
use crate::lower::Lowerer;

/// The argument area of export calls (exports never run re-entrantly).
static mut EXPORT_AREA: [u64; ARG_SLOTS] = [0; ARG_SLOTS];
const _: () = assert!(size_of::<u64>() == ARG_SLOT_SIZE as usize);

/// Blocks holding the results of the last export call, freed by post-return.
static RESULT_BLOCKS: Mutex<Vec<Block>> = Mutex::new(Vec::new());

/// The `str` and `bytes` objects the results of the last export call point into, released by
/// post-return.
static RESULT_OBJECTS: Mutex<Vec<Py<PyAny>>> = Mutex::new(Vec::new());

/// Prints `message` to stderr and traps: the runtime's only way to fail a call.
fn trap(message: &str) -> ! {
    let mut stderr = std::io::stderr();
    let _ = writeln!(stderr, "{}", message.trim_end());
    let _ = stderr.flush();
    std::process::abort()
}

/// Pre-initialisation, called once by Wizer.
#[unsafe(export_name = "wizer-initialize")]
pub extern "C" fn wizer_initialize() {
    if let Err(message) = init::run() {
        trap(&message);
    }
}

/// The address of the export argument area.
#[unsafe(export_name = "componentize-py#export-args")]
pub extern "C" fn export_args() -> u32 {
    (&raw mut EXPORT_AREA) as usize as u32
}

/// Calls export `func` with the arguments in the export area.
#[unsafe(export_name = "componentize-py#call-export")]
pub extern "C" fn call_export(func: u32) -> u32 {
    Python::attach(|py| {
        let world = world::get(py).unwrap_or_else(|e| trap(&e.to_string()));
        let export = world
            .table
            .exports
            .get(func as usize)
            .unwrap_or_else(|| trap(&format!("no export #{func}")));
        export_call(py, world, func as usize).unwrap_or_else(|e| {
            trap(&format!(
                "error in export `{}`:\n{}",
                export.name,
                init::traceback(py, &e)
            ))
        })
    })
}

fn export_call(py: Python<'_>, world: &world::World, func: usize) -> PyResult<u32> {
    init::resume(py)?;
    let export = &world.table.exports[func];
    let signature = &export.signature;
    // SAFETY: exports do not run re-entrantly, so nothing else uses the area during this call.
    #[allow(static_mut_refs)]
    let slots = unsafe { &mut EXPORT_AREA };
    let mut lifter = Lifter::new(py, world, true);
    let mut args = Arguments::new(signature.params.len());
    if signature.params_indirect {
        let addr = slots[0] as u32;
        let (offsets, size, align) = abi::tuple_layout(&world.table, &signature.params);
        for (ty, offset) in signature.params.iter().zip(offsets) {
            args.push(lifter.load(*ty, addr + offset)?);
        }
        lifter.blocks.push(Block { addr, size, align });
    } else {
        let mut reader = FlatReader::new(slots);
        for ty in &signature.params {
            args.push(lifter.lift_flat(*ty, &mut reader)?);
        }
    }
    lifter.free_blocks();

    // Methods are bound to their instance, resource methods are unbound functions taking `self`
    // first, statics are classmethods and constructors the class itself: one call fits them all.
    let returned = args.call(world.export_callables[func].bind(py));
    let value = match returned {
        // `sys.exit()` and friends: `run` of wasi:cli/run answers ok or err, other exports end
        // the process (see `exit`).
        Err(err) if exit::is_system_exit(py, &err) => {
            let status = exit::finish(py, &err);
            if !exit::is_cli_run(export) {
                std::process::exit(status);
            }
            world.result_value(py, status == 0, py.None().into_bound(py))?
        }
        Ok(value) if signature.result_raises => world.result_value(py, true, value)?,
        Ok(value) => value,
        Err(err)
            if signature.result_raises && err.is_instance(py, world.helpers(py)?.err.bind(py)) =>
        {
            err.value(py).clone().into_any()
        }
        Err(err) => return Err(err),
    };

    let Some(ty) = signature.result else {
        return Ok(0);
    };
    let mut lowerer = Lowerer::new(py, world);
    let address = if signature.results_indirect {
        let (size, align) = abi::size_align(&world.table, ty);
        let addr = lowerer.allocate(size, align);
        lowerer.store(ty, &value, addr)?;
        addr
    } else {
        lowerer.lower_flat(ty, &value, &mut FlatWriter::new(slots))?;
        export_args()
    };
    if !lowerer.blocks.is_empty() {
        RESULT_BLOCKS.lock().unwrap().extend(lowerer.blocks);
    }
    if !lowerer.kept.is_empty() {
        RESULT_OBJECTS
            .lock()
            .unwrap()
            .extend(lowerer.kept.into_iter().map(Bound::unbind));
    }
    Ok(address)
}

/// The positional arguments of one export call, owned until the call returns. Up to
/// [`Arguments::INLINE`] of them sit in an array with a free slot in front, so the callable gets
/// them by vectorcall, with no allocation and no argument tuple, and a bound method can put its
/// `self` in that slot (`PY_VECTORCALL_ARGUMENTS_OFFSET`).
enum Arguments<'py> {
    Inline {
        slots: [*mut ffi::PyObject; Arguments::INLINE + 1],
        len: usize,
    },
    Heap(Vec<Bound<'py, PyAny>>),
}

impl<'py> Arguments<'py> {
    const INLINE: usize = 8;

    /// Room for `count` arguments.
    fn new(count: usize) -> Self {
        if count <= Self::INLINE {
            Self::Inline {
                slots: [std::ptr::null_mut(); Self::INLINE + 1],
                len: 0,
            }
        } else {
            Self::Heap(Vec::with_capacity(count))
        }
    }

    /// Appends an argument; no more than the count given to [`Arguments::new`].
    fn push(&mut self, arg: Bound<'py, PyAny>) {
        match self {
            Self::Inline { slots, len } => {
                *len += 1;
                slots[*len] = arg.into_ptr();
            }
            Self::Heap(args) => args.push(arg),
        }
    }

    /// Calls `callable` with the arguments.
    fn call(mut self, callable: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        match &mut self {
            Self::Inline { slots, len } => unsafe {
                // SAFETY: slots 1..=len hold owned references; slot 0 is free for the callee.
                let result = ffi::PyObject_Vectorcall(
                    callable.as_ptr(),
                    slots.as_mut_ptr().add(1),
                    *len | ffi::PY_VECTORCALL_ARGUMENTS_OFFSET,
                    std::ptr::null_mut(),
                );
                Bound::from_owned_ptr_or_err(callable.py(), result)
            },
            Self::Heap(args) => callable.call1(PyTuple::new(callable.py(), args.drain(..))?),
        }
    }
}

impl Drop for Arguments<'_> {
    fn drop(&mut self) {
        if let Self::Inline { slots, len } = self {
            for &arg in &slots[1..=*len] {
                // SAFETY: each of these is an owned reference pushed by `push`.
                unsafe { ffi::Py_DECREF(arg) };
            }
        }
    }
}

/// Frees what the last call of an export allocated for its results.
#[unsafe(export_name = "componentize-py#post-return")]
pub extern "C" fn post_return(_func: u32) {
    RESULT_BLOCKS.lock().unwrap().drain(..).for_each(abi::free);
    let objects = std::mem::take(&mut *RESULT_OBJECTS.lock().unwrap());
    if !objects.is_empty() {
        Python::attach(|_| drop(objects));
    }
}

/// The destructor of an exported resource: forgets the instance behind `rep`.
#[unsafe(export_name = "componentize-py#resource-dtor")]
pub extern "C" fn resource_dtor(_resource: u32, rep: u32) {
    Python::attach(|py| {
        let world = world::get(py).unwrap_or_else(|e| trap(&e.to_string()));
        drop(world.remove_rep(rep));
    })
}

/// The canonical-ABI allocator.
#[unsafe(no_mangle)]
pub extern "C" fn cabi_realloc(old: u32, old_size: u32, align: u32, new_size: u32) -> u32 {
    abi::realloc(old, old_size, align, new_size)
}
