//! The world being served: the table from the componentizer with its Python names resolved to
//! objects at init, the exported-resource instances, and calls out through the import dispatch.

use std::sync::{Mutex, OnceLock};

use componentize_py_abi::{ARG_SLOTS, ExportTarget, PyName, ResourceSide, TypeKind, WorldTable};
use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyString, PyTuple, PyType};

use crate::abi::{self, FlatReader, FlatWriter};
use crate::lift::Lifter;
use crate::lower::{Lowerer, type_error};

/// What a defined type's Python names resolved to.
pub enum Resolved {
    /// Types with no Python class (tuples, lists, options, results, handles).
    Nothing,
    /// A record or flags class.
    Class(Py<PyAny>),
    /// A variant's case classes, by discriminant.
    Cases(Vec<Py<PyAny>>),
    /// An enum's members, by discriminant.
    Members(Vec<Py<PyAny>>),
}

/// Classes from the generated `componentize_py_types` module, imported when first needed.
pub struct Helpers {
    /// `Ok`
    pub ok: Py<PyAny>,
    /// `Err`, an exception class.
    pub err: Py<PyAny>,
    /// `Some`
    pub some: Py<PyAny>,
    /// `weakref.finalize`
    pub finalize: Py<PyAny>,
}

/// The world the runtime serves, ready to call.
pub struct World {
    /// The table from the componentizer.
    pub table: WorldTable,
    /// Resolved Python objects, parallel to `table.types`.
    pub resolved: Vec<Resolved>,
    /// Resource classes, parallel to `table.resources`.
    pub resource_classes: Vec<Py<PyAny>>,
    /// The export callables, parallel to `table.exports`.
    pub export_callables: Vec<Py<PyAny>>,
    helpers: OnceLock<Helpers>,
    /// Live instances of exported resources, indexed by rep - 1.
    reps: Mutex<Slab>,
}

/// A free-list arena of Python objects.
#[derive(Default)]
struct Slab {
    slots: Vec<Option<Py<PyAny>>>,
    free: Vec<usize>,
}

impl World {
    /// Resolves the table's Python names, instantiates the export classes and checks that every
    /// export has its callable. Errors name what is missing.
    pub fn resolve(py: Python<'_>, table: WorldTable) -> PyResult<Self> {
        let mut resolved = Vec::with_capacity(table.types.len());
        for def in &table.types {
            resolved.push(match &def.kind {
                TypeKind::Record { class, .. } | TypeKind::Flags { class, .. } => {
                    Resolved::Class(lookup(py, class)?.unbind())
                }
                TypeKind::Variant { cases, .. } => Resolved::Cases(
                    cases
                        .iter()
                        .map(|case| lookup(py, &case.class).map(Bound::unbind))
                        .collect::<PyResult<_>>()?,
                ),
                TypeKind::Enum { class, cases } => {
                    let members: Vec<Py<PyAny>> = lookup(py, class)?
                        .try_iter()?
                        .map(|m| m.map(Bound::unbind))
                        .collect::<PyResult<_>>()?;
                    if members.len() != *cases as usize {
                        return Err(PyTypeError::new_err(format!(
                            "enum {} has {} members, the WIT type has {cases} cases",
                            class.name,
                            members.len()
                        )));
                    }
                    Resolved::Members(members)
                }
                _ => Resolved::Nothing,
            });
        }
        let resource_classes = table
            .resources
            .iter()
            .map(|r| lookup(py, &r.class).map(Bound::unbind))
            .collect::<PyResult<Vec<_>>>()?;
        let instances = table
            .export_instances
            .iter()
            .map(|name| {
                let class = lookup(py, name)?;
                class.call0().map_err(|e| {
                    let message = format!(
                        "instantiating export class {}.{}: {e}",
                        name.module, name.name
                    );
                    let wrapped = PyRuntimeError::new_err(message);
                    wrapped.set_cause(py, Some(e));
                    wrapped
                })
            })
            .collect::<PyResult<Vec<_>>>()?;
        let export_callables = table
            .exports
            .iter()
            .map(|export| {
                let (owner, name, what) = match &export.target {
                    ExportTarget::Method { instance, name } => {
                        let class = &table.export_instances[*instance as usize];
                        (
                            &instances[*instance as usize],
                            name.as_str(),
                            format!("class {}", class.name),
                        )
                    }
                    ExportTarget::Constructor { resource } => {
                        let class = &resource_classes[*resource as usize];
                        return Ok(class.clone_ref(py));
                    }
                    // Methods are looked up on the instance at each call, so a subclass's override
                    // runs, as does a class the app made from the bindings' protocol.
                    ExportTarget::ResourceMethod { resource, name } => {
                        let class = &table.resources[*resource as usize].class;
                        if resource_classes[*resource as usize]
                            .bind(py)
                            .getattr(name.as_str())
                            .is_err()
                        {
                            return Err(PyRuntimeError::new_err(format!(
                                "the app's resource class {} has no method `{name}`, needed for export `{}`",
                                class.name, export.name
                            )));
                        }
                        return method_caller(py, name);
                    }
                    ExportTarget::Static { resource, name } => {
                        let class = &table.resources[*resource as usize].class;
                        (
                            resource_classes[*resource as usize].bind(py),
                            name.as_str(),
                            format!("resource class {}", class.name),
                        )
                    }
                };
                owner.getattr(name).map(Bound::unbind).map_err(|_| {
                    PyRuntimeError::new_err(format!(
                        "the app's {what} has no method `{name}`, needed for export `{}`",
                        export.name
                    ))
                })
            })
            .collect::<PyResult<Vec<_>>>()?;
        Ok(Self {
            table,
            resolved,
            resource_classes,
            export_callables,
            helpers: OnceLock::new(),
            reps: Mutex::new(Slab::default()),
        })
    }

    /// The class a record or flags type resolved to.
    pub fn class(&self, index: u32) -> PyResult<&Py<PyAny>> {
        match &self.resolved[index as usize] {
            Resolved::Class(class) => Ok(class),
            _ => unreachable!("records and flags resolve to a class"),
        }
    }

    /// The Python name of a defined type's class, for messages.
    pub fn class_name(&self, index: u32) -> String {
        match &self.table.types[index as usize].kind {
            TypeKind::Record { class, .. }
            | TypeKind::Flags { class, .. }
            | TypeKind::Enum { class, .. } => class.name.clone(),
            _ => format!("type #{index}"),
        }
    }

    /// The helper classes, imported on first use.
    pub fn helpers(&self, py: Python<'_>) -> PyResult<&Helpers> {
        if let Some(helpers) = self.helpers.get() {
            return Ok(helpers);
        }
        let types = py.import("componentize_py_types")?;
        let helpers = Helpers {
            ok: types.getattr("Ok")?.unbind(),
            err: types.getattr("Err")?.unbind(),
            some: types.getattr("Some")?.unbind(),
            finalize: py.import("weakref")?.getattr("finalize")?.unbind(),
        };
        Ok(self.helpers.get_or_init(|| helpers))
    }

    /// `Ok(payload)` or `Err(payload)`.
    pub fn result_value<'py>(
        &self,
        py: Python<'py>,
        ok: bool,
        payload: Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let helpers = self.helpers(py)?;
        let class = if ok { &helpers.ok } else { &helpers.err };
        class.bind(py).call1((payload,))
    }

    /// Whether `value` is `Ok` or `Err`, and its payload.
    pub fn result_parts<'py>(
        &self,
        py: Python<'py>,
        value: &Bound<'py, PyAny>,
    ) -> PyResult<(bool, Bound<'py, PyAny>)> {
        let helpers = self.helpers(py)?;
        if value.is_instance(helpers.ok.bind(py))? {
            Ok((true, value.getattr("value")?))
        } else if value.is_instance(helpers.err.bind(py))? {
            Ok((false, value.getattr("value")?))
        } else {
            Err(type_error("Ok | Err", value))
        }
    }

    /// Lifts an `own` handle: an exported resource's instance (its handle is dropped, the object
    /// lives on in Python), or a new object for an imported resource that drops the handle when
    /// collected or closed.
    pub fn lift_own<'py>(
        &self,
        py: Python<'py>,
        resource: u32,
        handle: u32,
    ) -> PyResult<Bound<'py, PyAny>> {
        match &self.table.resources[resource as usize].side {
            ResourceSide::Exported(intrinsics) => {
                let rep = self.call_intrinsic(intrinsics.rep, handle)?;
                let object = self.rep_object(py, rep)?;
                self.call_intrinsic(intrinsics.drop, handle)?;
                Ok(object)
            }
            ResourceSide::Imported { .. } => self.imported_object(py, resource, handle, true),
        }
    }

    /// Lifts a `borrow` handle: for an exported resource the value is the rep itself.
    pub fn lift_borrow<'py>(
        &self,
        py: Python<'py>,
        resource: u32,
        handle: u32,
    ) -> PyResult<Bound<'py, PyAny>> {
        match &self.table.resources[resource as usize].side {
            ResourceSide::Exported(_) => self.rep_object(py, handle),
            ResourceSide::Imported { .. } => self.imported_object(py, resource, handle, false),
        }
    }

    /// Lowers an object to an `own` handle, giving up the object's claim on it.
    pub fn lower_own(
        &self,
        py: Python<'_>,
        resource: u32,
        value: &Bound<'_, PyAny>,
    ) -> PyResult<u32> {
        self.check_instance(py, resource, value)?;
        match &self.table.resources[resource as usize].side {
            ResourceSide::Exported(intrinsics) => {
                let rep = self.insert_rep(value.clone().unbind());
                self.call_intrinsic(intrinsics.new, rep)
            }
            ResourceSide::Imported { .. } => {
                let handle: u32 = value.getattr("handle")?.extract()?;
                let finalizer = value.getattr("finalizer")?;
                if !finalizer.is_none() {
                    finalizer.call_method0("detach")?;
                }
                value.setattr("finalizer", py.None())?;
                Ok(handle)
            }
        }
    }

    /// Lowers an object to a `borrow` handle; `true` when a handle was made for the call only.
    pub fn lower_borrow(
        &self,
        py: Python<'_>,
        resource: u32,
        value: &Bound<'_, PyAny>,
    ) -> PyResult<(u32, bool)> {
        self.check_instance(py, resource, value)?;
        match &self.table.resources[resource as usize].side {
            ResourceSide::Exported(intrinsics) => {
                let rep = self.insert_rep(value.clone().unbind());
                Ok((self.call_intrinsic(intrinsics.new, rep)?, true))
            }
            ResourceSide::Imported { .. } => Ok((value.getattr("handle")?.extract()?, false)),
        }
    }

    /// Drops a handle of resource `resource`.
    pub fn drop_handle(&self, resource: u32, handle: u32) -> PyResult<()> {
        let drop = match &self.table.resources[resource as usize].side {
            ResourceSide::Exported(intrinsics) => intrinsics.drop,
            ResourceSide::Imported { drop } => *drop,
        };
        self.call_intrinsic(drop, handle).map(|_| ())
    }

    /// Forgets the instance behind `rep`: the destructor of an exported resource.
    pub fn remove_rep(&self, rep: u32) -> Option<Py<PyAny>> {
        let mut slab = self.reps.lock().unwrap();
        let index = (rep as usize).checked_sub(1)?;
        let object = slab.slots.get_mut(index)?.take()?;
        slab.free.push(index);
        Some(object)
    }

    fn insert_rep(&self, object: Py<PyAny>) -> u32 {
        let mut slab = self.reps.lock().unwrap();
        let index = match slab.free.pop() {
            Some(index) => {
                slab.slots[index] = Some(object);
                index
            }
            None => {
                slab.slots.push(Some(object));
                slab.slots.len() - 1
            }
        };
        index as u32 + 1
    }

    fn rep_object<'py>(&self, py: Python<'py>, rep: u32) -> PyResult<Bound<'py, PyAny>> {
        let slab = self.reps.lock().unwrap();
        (rep as usize)
            .checked_sub(1)
            .and_then(|i| slab.slots.get(i))
            .and_then(Option::as_ref)
            .map(|object| object.bind(py).clone())
            .ok_or_else(|| {
                PyRuntimeError::new_err(format!("no live resource instance has rep {rep}"))
            })
    }

    fn imported_object<'py>(
        &self,
        py: Python<'py>,
        resource: u32,
        handle: u32,
        owned: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let class = self.resource_classes[resource as usize].bind(py);
        let object = class.call_method1("__new__", (class,))?;
        object.setattr("handle", handle)?;
        let finalizer = if owned {
            let drop = py
                .import("componentize_py_runtime")?
                .getattr("drop_resource")?;
            self.helpers(py)?
                .finalize
                .bind(py)
                .call1((&object, drop, resource, handle))?
        } else {
            py.None().into_bound(py)
        };
        object.setattr("finalizer", finalizer)?;
        Ok(object)
    }

    fn check_instance(
        &self,
        py: Python<'_>,
        resource: u32,
        value: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        // A nominal check, through the MRO only: the class may be the bindings' own protocol (an
        // app that makes the interface-named module the bindings module), which `isinstance`
        // rejects unless it is runtime-checkable.
        let class = self.resource_classes[resource as usize].bind(py);
        let subclass = match class.cast::<PyType>() {
            Ok(class) => unsafe {
                ffi::PyType_IsSubtype(
                    ffi::Py_TYPE(value.as_ptr()),
                    class.as_ptr().cast::<ffi::PyTypeObject>(),
                ) != 0
            },
            Err(_) => value.is_instance(class)?,
        };
        if subclass {
            Ok(())
        } else {
            let name = &self.table.resources[resource as usize].class.name;
            Err(type_error(name, value))
        }
    }

    /// Calls a resource intrinsic import of signature `(i32) -> i32?`.
    fn call_intrinsic(&self, import: u32, arg: u32) -> PyResult<u32> {
        let mut slots = [0u64; ARG_SLOTS];
        slots[0] = arg.into();
        self.dispatch(import, &mut slots)?;
        Ok(slots[0] as u32)
    }

    /// Calls import `index` with Python arguments, and lifts its result.
    pub fn call_import<'py>(
        &self,
        py: Python<'py>,
        index: u32,
        args: &Bound<'py, PyTuple>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let function = self
            .table
            .imports
            .get(index as usize)
            .ok_or_else(|| PyRuntimeError::new_err(format!("no import #{index}")))?;
        let signature = &function.signature;
        let name = (function.module.as_str(), function.name.as_str());
        if args.len() != signature.params.len() {
            return Err(PyTypeError::new_err(format!(
                "{} takes {} arguments, got {}",
                function.name,
                signature.params.len(),
                args.len()
            )));
        }
        let mut slots = [0u64; ARG_SLOTS];
        let mut lowerer = Lowerer::new(py, self);
        let lowered = (|| {
            if signature.params_indirect {
                let (offsets, size, align) = abi::tuple_layout(&self.table, &signature.params);
                let addr = lowerer.allocate(size, align);
                for (i, ((ty, offset), arg)) in signature
                    .params
                    .iter()
                    .zip(offsets)
                    .zip(args.iter())
                    .enumerate()
                {
                    let param = (name, parameter_name(signature, i));
                    lowerer.store_argument(param, *ty, &arg, addr + offset)?;
                }
                slots[0] = addr.into();
            } else {
                let mut writer = FlatWriter::new(&mut slots);
                for (i, (ty, arg)) in signature.params.iter().zip(args.iter()).enumerate() {
                    let param = (name, parameter_name(signature, i));
                    lowerer.lower_argument(param, *ty, &arg, &mut writer)?;
                }
            }
            Ok::<_, PyErr>(())
        })();
        let return_area = match (lowered, signature.result) {
            (Err(e), _) => {
                lowerer.blocks.drain(..).for_each(abi::free);
                return Err(e);
            }
            (Ok(()), Some(ty)) if signature.results_indirect => {
                let (size, align) = abi::size_align(&self.table, ty);
                let addr = lowerer.allocate(size, align);
                slots[signature.flat_params.len() - 1] = addr.into();
                Some(addr)
            }
            (Ok(()), _) => None,
        };
        let called = self.dispatch(index, &mut slots);
        let Lowerer {
            blocks, kept, lent, ..
        } = lowerer;
        let lifted = called.and_then(|()| {
            let mut lifter = Lifter::new(py, self, true);
            let value = match (signature.result, return_area) {
                (None, _) => Ok(py.None().into_bound(py)),
                (Some(ty), Some(addr)) => lifter.load(ty, addr),
                (Some(ty), None) => lifter.lift_flat(ty, &mut FlatReader::new(&slots)),
            };
            lifter.free_blocks();
            value
        });
        blocks.into_iter().for_each(abi::free);
        drop(kept);
        for (resource, handle) in lent {
            self.drop_handle(resource, handle)?;
        }
        let value = lifted?;
        if signature.result_raises {
            let (ok, payload) = self.result_parts(py, &value)?;
            if !ok {
                let err = self.helpers(py)?.err.bind(py).call1((payload,))?;
                return Err(PyErr::from_value(err));
            }
            return Ok(payload);
        }
        Ok(value)
    }

    /// Calls the import dispatch glue with an argument area.
    fn dispatch(&self, index: u32, slots: &mut [u64; ARG_SLOTS]) -> PyResult<()> {
        if self.table.import_dispatch == 0 {
            return Err(PyRuntimeError::new_err(
                "imported functions cannot be called while the app is being pre-initialised",
            ));
        }
        // SAFETY: in wasm a function pointer is an index into the function table, and the
        // componentizer put the dispatch glue, of exactly this signature, at that index.
        let dispatch: extern "C" fn(u32, *mut u64) = unsafe {
            std::mem::transmute::<usize, extern "C" fn(u32, *mut u64)>(
                self.table.import_dispatch as usize,
            )
        };
        dispatch(index, slots.as_mut_ptr());
        Ok(())
    }
}

/// The Python name of parameter `i`, for messages.
fn parameter_name(signature: &componentize_py_abi::Signature, i: usize) -> &str {
    signature
        .param_names
        .get(i)
        .map_or("argument", String::as_str)
}

/// A callable that calls method `name` of its first argument with the other arguments, by
/// vectorcall and without allocating (`PyObject_VectorcallMethod`).
fn method_caller(py: Python<'_>, name: &str) -> PyResult<Py<PyAny>> {
    /// The method definition every caller shares; CPython only reads it.
    struct Definition(ffi::PyMethodDef);
    // SAFETY: the definition is immutable and points at static data only.
    unsafe impl Sync for Definition {}
    static DEFINITION: Definition = Definition(ffi::PyMethodDef {
        ml_name: c"call_method".as_ptr(),
        ml_meth: ffi::PyMethodDefPointer {
            PyCFunctionFast: call_method,
        },
        ml_flags: ffi::METH_FASTCALL,
        ml_doc: std::ptr::null(),
    });

    /// `self` is the method name; `args[0]` the object whose method is called.
    unsafe extern "C" fn call_method(
        name: *mut ffi::PyObject,
        args: *mut *mut ffi::PyObject,
        nargs: ffi::Py_ssize_t,
    ) -> *mut ffi::PyObject {
        if nargs < 1 {
            unsafe {
                ffi::PyErr_SetString(
                    ffi::PyExc_TypeError,
                    c"a resource method needs its instance".as_ptr(),
                )
            };
            return std::ptr::null_mut();
        }
        unsafe { ffi::PyObject_VectorcallMethod(name, args, nargs as usize, std::ptr::null_mut()) }
    }

    let name = PyString::intern(py, name);
    // SAFETY: the definition lives for the whole program and CPython does not write to it.
    unsafe {
        let function = ffi::PyCFunction_NewEx(
            (&raw const DEFINITION.0).cast_mut(),
            name.as_ptr(),
            std::ptr::null_mut(),
        );
        Bound::from_owned_ptr_or_err(py, function).map(Bound::unbind)
    }
}

/// Imports `name.module` and walks the dotted `name.name`.
pub fn lookup<'py>(py: Python<'py>, name: &PyName) -> PyResult<Bound<'py, PyAny>> {
    let mut object = py.import(name.module.as_str())?.into_any();
    for part in name.name.split('.') {
        object = object.getattr(part).map_err(|_| {
            PyRuntimeError::new_err(format!("module `{}` has no `{}`", name.module, name.name))
        })?;
    }
    Ok(object)
}

static WORLD: OnceLock<World> = OnceLock::new();

/// Installs the world once init has resolved it.
pub fn set(world: World) {
    assert!(WORLD.set(world).is_ok(), "the world is set once, at init");
}

/// The world, once init has resolved it.
pub fn get(_py: Python<'_>) -> PyResult<&'static World> {
    WORLD.get().ok_or_else(|| {
        PyRuntimeError::new_err(
            "imported functions cannot be called while the app is being pre-initialised",
        )
    })
}
