//! Lowering: Python objects → canonical-ABI values in linear memory or in flat slots.
//!
//! A value of the wrong type is a Python error that says where the value is and what was expected
//! there: `a[2].name: expected str, got int` for an import argument, `result.ok: ...` for what an
//! export returned. The path is put together only when lowering fails.

use std::fmt::Write as _;

use componentize_py_abi::{Type, TypeKind};
use pyo3::exceptions::{PyOverflowError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyInt, PyList, PyString, PyTuple};

use crate::abi::{self, Block, FlatWriter};
use crate::world::{Resolved, World};

/// Lowers values of one call, remembering every buffer it allocates in `blocks` (freed after an
/// import call returns, or by post-return for export results) and every temporary handle it made.
/// Strings and `bytes` are not copied: the lowered value points into the Python object's own
/// UTF-8 or byte data, and the object is kept in `kept` for as long as the blocks live.
pub struct Lowerer<'w, 'py> {
    py: Python<'py>,
    world: &'w World,
    /// Buffers allocated for lowered lists and strings.
    pub blocks: Vec<Block>,
    /// The `str` and `bytes` objects whose data lowered values point into.
    pub kept: Vec<Bound<'py, PyAny>>,
    /// Handles made to lend an exported resource; dropped once the call is over.
    pub lent: Vec<(u32, u32)>,
    /// Where the value that failed to lower is, innermost step first (empty unless failing).
    path: Vec<Step<'w>>,
}

/// An imported function, by its core module and name (`$root` for world-level functions).
pub type Function<'a> = (&'a str, &'a str);

/// One step from a value to a part of it, for messages.
#[derive(Debug, Clone, Copy)]
enum Step<'w> {
    /// A record field.
    Field(&'w str),
    /// A list or tuple element.
    Index(usize),
    /// The payload of a variant case or of `Some`.
    Value,
    /// The payload of `Ok`.
    Ok,
    /// The payload of `Err`.
    Err,
}

impl<'w, 'py> Lowerer<'w, 'py> {
    /// A lowerer for one call.
    pub fn new(py: Python<'py>, world: &'w World) -> Self {
        Self {
            py,
            world,
            blocks: Vec::new(),
            kept: Vec::new(),
            lent: Vec::new(),
            path: Vec::new(),
        }
    }

    /// Allocates a block the call owns.
    pub fn allocate(&mut self, size: u32, align: u32) -> u32 {
        let addr = abi::allocate(size, align);
        self.blocks.push(Block { addr, size, align });
        addr
    }

    /// Stores a function's result `value` as type `ty` at `addr`; errors say where in the result
    /// the wrong value is (`result.ok[2]: expected int, got str`).
    pub fn store(&mut self, ty: Type, value: &Bound<'py, PyAny>, addr: u32) -> PyResult<()> {
        let stored = self.store_value(ty, value, addr);
        self.located(stored, None, "result")
    }

    /// Lowers a function's result `value` as type `ty` into flat slots; errors as [`Self::store`].
    pub fn lower_flat(
        &mut self,
        ty: Type,
        value: &Bound<'py, PyAny>,
        flat: &mut FlatWriter<'_>,
    ) -> PyResult<()> {
        let lowered = self.lower_value(ty, value, flat);
        self.located(lowered, None, "result")
    }

    /// Stores argument `name` of import `function` (its core module and name); errors name both
    /// (`test:x/api#f: a[0]: expected int, got str`).
    pub fn store_argument(
        &mut self,
        (function, name): (Function<'_>, &str),
        ty: Type,
        value: &Bound<'py, PyAny>,
        addr: u32,
    ) -> PyResult<()> {
        let stored = self.store_value(ty, value, addr);
        self.located(stored, Some(function), name)
    }

    /// Lowers argument `name` of import `function` into flat slots; errors as
    /// [`Self::store_argument`].
    pub fn lower_argument(
        &mut self,
        (function, name): (Function<'_>, &str),
        ty: Type,
        value: &Bound<'py, PyAny>,
        flat: &mut FlatWriter<'_>,
    ) -> PyResult<()> {
        let lowered = self.lower_value(ty, value, flat);
        self.located(lowered, Some(function), name)
    }

    /// Records `step` on the way out of a failing part of a value.
    fn at<T>(&mut self, step: Step<'w>, result: PyResult<T>) -> PyResult<T> {
        if result.is_err() {
            self.path.push(step);
        }
        result
    }

    /// Puts where the failing value is in front of the error's message.
    fn located(
        &mut self,
        result: PyResult<()>,
        function: Option<Function<'_>>,
        root: &str,
    ) -> PyResult<()> {
        let Err(err) = result else {
            return Ok(());
        };
        let mut place = String::new();
        match function {
            Some(("$root", name)) => place.push_str(name),
            Some((module, name)) => {
                let _ = write!(place, "{module}#{name}");
            }
            None => {}
        }
        if function.is_some() {
            place.push_str(": ");
        }
        place.push_str(root);
        for step in self.path.drain(..).rev() {
            match step {
                Step::Field(name) => {
                    place.push('.');
                    place.push_str(name);
                }
                Step::Index(i) => {
                    let _ = write!(place, "[{i}]");
                }
                Step::Value => place.push_str(".value"),
                Step::Ok => place.push_str(".ok"),
                Step::Err => place.push_str(".err"),
            }
        }
        Err(prefixed(self.py, err, &place))
    }

    fn store_value(&mut self, ty: Type, value: &Bound<'py, PyAny>, addr: u32) -> PyResult<()> {
        let world = self.world;
        match ty {
            Type::String => {
                let (ptr, len) = self.string(value)?;
                unsafe { write_pair(addr, ptr, len) };
            }
            Type::Defined(index) => {
                let def = abi::def(&world.table, index);
                match &def.kind {
                    TypeKind::Record { fields, .. } => {
                        for field in fields {
                            let item = self.field(index, value, &field.name)?;
                            let stored = self.store_value(field.ty, &item, addr + field.offset);
                            self.at(Step::Field(&field.name), stored)?;
                        }
                    }
                    TypeKind::Tuple { elements } => {
                        let items = tuple_items(value, elements.len())?;
                        for (i, (element, item)) in elements.iter().zip(items.iter()).enumerate() {
                            let stored = self.store_value(element.ty, &item, addr + element.offset);
                            self.at(Step::Index(i), stored)?;
                        }
                    }
                    TypeKind::Variant {
                        cases,
                        payload_offset,
                    } => {
                        let (disc, payload) = self.variant_case(index, value)?;
                        write_discriminant(addr, cases.len(), disc);
                        if let (Some(ty), Some(payload)) = (cases[disc].ty, payload) {
                            let stored = self.store_value(ty, &payload, addr + payload_offset);
                            self.at(Step::Value, stored)?;
                        }
                    }
                    TypeKind::Enum { cases, .. } => {
                        let disc = self.enum_index(index, value)?;
                        write_discriminant(addr, *cases as usize, disc);
                    }
                    TypeKind::Flags { .. } => {
                        let bytes = self.flags_bytes(index, value, def.layout.size as usize)?;
                        unsafe { abi::write(addr, &bytes) };
                    }
                    TypeKind::Option {
                        ty,
                        payload_offset,
                        nested,
                    } => match self.unwrap_option(value, *nested)? {
                        None => unsafe { abi::write(addr, &[0]) },
                        Some(payload) => {
                            unsafe { abi::write(addr, &[1]) };
                            let stored = self.store_value(*ty, &payload, addr + payload_offset);
                            if *nested {
                                self.at(Step::Value, stored)?;
                            } else {
                                stored?;
                            }
                        }
                    },
                    TypeKind::Result {
                        ok,
                        err,
                        payload_offset,
                    } => {
                        let (is_ok, payload) = world.result_parts(self.py, value)?;
                        unsafe { abi::write(addr, &[u8::from(!is_ok)]) };
                        if let Some(ty) = if is_ok { ok } else { err } {
                            let stored = self.store_value(*ty, &payload, addr + payload_offset);
                            self.at(if is_ok { Step::Ok } else { Step::Err }, stored)?;
                        }
                    }
                    TypeKind::List { element } => {
                        let (ptr, len) = self.list(*element, value)?;
                        unsafe { write_pair(addr, ptr, len) };
                    }
                    TypeKind::Bytes => {
                        let (ptr, len) = self.bytes(value)?;
                        unsafe { write_pair(addr, ptr, len) };
                    }
                    TypeKind::Own(resource) => {
                        let handle = world.lower_own(self.py, *resource, value)?;
                        unsafe { abi::write(addr, &handle.to_le_bytes()) };
                    }
                    TypeKind::Borrow(resource) => {
                        let handle = self.borrow(*resource, value)?;
                        unsafe { abi::write(addr, &handle.to_le_bytes()) };
                    }
                }
            }
            primitive => {
                let (size, _) = abi::size_align(&world.table, primitive);
                let bits = primitive_bits(primitive, value)?;
                unsafe { abi::write(addr, &bits.to_le_bytes()[..size as usize]) };
            }
        }
        Ok(())
    }

    fn lower_value(
        &mut self,
        ty: Type,
        value: &Bound<'py, PyAny>,
        flat: &mut FlatWriter<'_>,
    ) -> PyResult<()> {
        let world = self.world;
        match ty {
            Type::String => {
                let (ptr, len) = self.string(value)?;
                flat.push(ptr.into());
                flat.push(len.into());
            }
            Type::Defined(index) => {
                let def = abi::def(&world.table, index);
                let width = def.layout.flat.len();
                match &def.kind {
                    TypeKind::Record { fields, .. } => {
                        for field in fields {
                            let item = self.field(index, value, &field.name)?;
                            let lowered = self.lower_value(field.ty, &item, flat);
                            self.at(Step::Field(&field.name), lowered)?;
                        }
                    }
                    TypeKind::Tuple { elements } => {
                        let items = tuple_items(value, elements.len())?;
                        for (i, (element, item)) in elements.iter().zip(items.iter()).enumerate() {
                            let lowered = self.lower_value(element.ty, &item, flat);
                            self.at(Step::Index(i), lowered)?;
                        }
                    }
                    TypeKind::Variant { cases, .. } => {
                        let (disc, payload) = self.variant_case(index, value)?;
                        flat.push(disc as u64);
                        let lowered =
                            self.joined_payload(cases[disc].ty.zip(payload), width - 1, flat);
                        self.at(Step::Value, lowered)?;
                    }
                    TypeKind::Enum { .. } => flat.push(self.enum_index(index, value)? as u64),
                    TypeKind::Flags { .. } => {
                        let bytes = self.flags_bytes(index, value, width * 4)?;
                        for word in bytes.chunks_exact(4) {
                            flat.push(u32::from_le_bytes(word.try_into().unwrap()).into());
                        }
                    }
                    TypeKind::Option { ty, nested, .. } => {
                        let payload = self.unwrap_option(value, *nested)?;
                        flat.push(u64::from(payload.is_some()));
                        let lowered =
                            self.joined_payload(payload.map(|p| (*ty, p)), width - 1, flat);
                        if *nested {
                            self.at(Step::Value, lowered)?;
                        } else {
                            lowered?;
                        }
                    }
                    TypeKind::Result { ok, err, .. } => {
                        let (is_ok, payload) = world.result_parts(self.py, value)?;
                        flat.push(u64::from(!is_ok));
                        let ty = if is_ok { *ok } else { *err };
                        let lowered =
                            self.joined_payload(ty.map(|ty| (ty, payload)), width - 1, flat);
                        self.at(if is_ok { Step::Ok } else { Step::Err }, lowered)?;
                    }
                    TypeKind::List { element } => {
                        let (ptr, len) = self.list(*element, value)?;
                        flat.push(ptr.into());
                        flat.push(len.into());
                    }
                    TypeKind::Bytes => {
                        let (ptr, len) = self.bytes(value)?;
                        flat.push(ptr.into());
                        flat.push(len.into());
                    }
                    TypeKind::Own(resource) => {
                        flat.push(world.lower_own(self.py, *resource, value)?.into())
                    }
                    TypeKind::Borrow(resource) => flat.push(self.borrow(*resource, value)?.into()),
                }
            }
            primitive => flat.push(primitive_bits(primitive, value)?),
        }
        Ok(())
    }

    /// Lowers a case payload into the `width` joined slots of a variant, zero-filling the rest.
    fn joined_payload(
        &mut self,
        payload: Option<(Type, Bound<'py, PyAny>)>,
        width: usize,
        flat: &mut FlatWriter<'_>,
    ) -> PyResult<()> {
        let start = flat.position();
        if let Some((ty, value)) = payload {
            self.lower_value(ty, &value, flat)?;
        }
        flat.pad(start + width - flat.position());
        Ok(())
    }

    /// Field `name` of a record value: any object with that attribute will do.
    fn field(
        &self,
        index: u32,
        value: &Bound<'py, PyAny>,
        name: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        value.getattr(name).map_err(|e| {
            if e.is_instance_of::<pyo3::exceptions::PyAttributeError>(self.py) {
                let class = self.world.class_name(index);
                type_error(&format!("{class} (with a field `{name}`)"), value)
            } else {
                e
            }
        })
    }

    fn string(&mut self, value: &Bound<'py, PyAny>) -> PyResult<(u32, u32)> {
        // CPython keeps a string's UTF-8 form inside the object (the data itself when ASCII).
        let text = value
            .cast::<PyString>()
            .map_err(|_| type_error("str", value))?
            .to_str()?;
        Ok(self.keep(value, text.as_bytes()))
    }

    /// Lends `data`, which lives inside `owner`, to the lowered value: no copy, and `owner` stays
    /// alive as long as the call's blocks.
    fn keep(&mut self, owner: &Bound<'py, PyAny>, data: &[u8]) -> (u32, u32) {
        self.kept.push(owner.clone());
        (data.as_ptr() as usize as u32, data.len() as u32)
    }

    /// A `list<u8>` or `list<s8>`: `bytes`, `bytearray`, or any other object `bytes()` takes
    /// except an int or a str (a list of ints in 0..=255, a memoryview).
    fn bytes(&mut self, value: &Bound<'py, PyAny>) -> PyResult<(u32, u32)> {
        if let Ok(bytes) = value.cast::<PyBytes>() {
            return Ok(self.keep(value, bytes.as_bytes()));
        }
        if let Ok(array) = value.cast::<PyByteArray>() {
            return Ok(self.copy_bytes(&array.to_vec(), 1));
        }
        if value.is_instance_of::<PyInt>() || value.is_instance_of::<PyString>() {
            return Err(type_error("bytes", value));
        }
        let bytes = self
            .py
            .get_type::<PyBytes>()
            .call1((value,))
            .map_err(|_| type_error("bytes", value))?;
        Ok(self.keep(&bytes, bytes.cast::<PyBytes>()?.as_bytes()))
    }

    fn list(&mut self, element: Type, value: &Bound<'py, PyAny>) -> PyResult<(u32, u32)> {
        if value.is_instance_of::<PyString>() {
            return Err(type_error("list", value));
        }
        if let Ok(list) = value.cast::<PyList>() {
            return self.items(element, list.len(), list.iter());
        }
        if let Ok(tuple) = value.cast::<PyTuple>() {
            return self.items(element, tuple.len(), tuple.iter());
        }
        // Any other iterable with a length, through its items, so the count stored is the count
        // written.
        value.len().map_err(|_| type_error("list", value))?;
        let items = value.try_iter()?.collect::<PyResult<Vec<_>>>()?;
        self.items(element, items.len(), items.into_iter())
    }

    /// Stores `len` items into a new block, failing if there are fewer.
    fn items(
        &mut self,
        element: Type,
        len: usize,
        items: impl Iterator<Item = Bound<'py, PyAny>>,
    ) -> PyResult<(u32, u32)> {
        let (size, align) = abi::size_align(&self.world.table, element);
        let len = len as u32;
        let ptr = self.allocate(len * size, align);
        let mut stored = 0;
        for item in items.take(len as usize) {
            let result = self.store_value(element, &item, ptr + stored * size);
            self.at(Step::Index(stored as usize), result)?;
            stored += 1;
        }
        if stored != len {
            return Err(PyValueError::new_err(
                "the list got shorter while it was being lowered",
            ));
        }
        Ok((ptr, len))
    }

    fn copy_bytes(&mut self, bytes: &[u8], align: u32) -> (u32, u32) {
        let ptr = self.allocate(bytes.len() as u32, align);
        unsafe { abi::write(ptr, bytes) };
        (ptr, bytes.len() as u32)
    }

    /// The case of a variant value: an instance of one of its case classes, or else of a class
    /// of the same name (a second copy of the bindings, imported under another package).
    fn variant_case(
        &self,
        index: u32,
        value: &Bound<'py, PyAny>,
    ) -> PyResult<(usize, Option<Bound<'py, PyAny>>)> {
        let Resolved::Cases(classes) = &self.world.resolved[index as usize] else {
            unreachable!("variant types resolve to their case classes")
        };
        let TypeKind::Variant { cases, .. } = &abi::def(&self.world.table, index).kind else {
            unreachable!("resolved as a variant")
        };
        let payload = |disc: usize| -> PyResult<(usize, Option<Bound<'py, PyAny>>)> {
            let payload = cases[disc].ty.map(|_| value.getattr("value")).transpose()?;
            Ok((disc, payload))
        };
        for (disc, class) in classes.iter().enumerate() {
            if value.is_instance(class.bind(self.py))? {
                return payload(disc);
            }
        }
        let names: Vec<String> = classes
            .iter()
            .map(|c| {
                c.bind(self.py)
                    .getattr("__name__")
                    .and_then(|n| n.extract())
            })
            .collect::<PyResult<_>>()?;
        let own = value.get_type().name()?.to_string();
        if let Some(disc) = names.iter().position(|name| *name == own) {
            return payload(disc);
        }
        Err(type_error(&names.join(" | "), value))
    }

    /// The discriminant of an enum value: one of its members, or else a member of the same name
    /// of an enum class of the same name (a second copy of the bindings).
    fn enum_index(&self, index: u32, value: &Bound<'py, PyAny>) -> PyResult<usize> {
        let Resolved::Members(members) = &self.world.resolved[index as usize] else {
            unreachable!("enum types resolve to their members")
        };
        if let Some(disc) = members.iter().position(|m| m.bind(self.py).is(value)) {
            return Ok(disc);
        }
        let class = self.world.class_name(index);
        let name_of = |v: &Bound<'py, PyAny>| v.getattr("name").and_then(|n| n.extract::<String>());
        if value
            .get_type()
            .name()
            .is_ok_and(|n| n.to_string() == class)
            && let Ok(name) = name_of(value)
            && let Some(disc) = members
                .iter()
                .position(|m| name_of(m.bind(self.py)).is_ok_and(|n| n == name))
        {
            return Ok(disc);
        }
        Err(type_error(&class, value))
    }

    /// The bits of a flags value, little-endian in `size` bytes.
    fn flags_bytes(&self, index: u32, value: &Bound<'py, PyAny>, size: usize) -> PyResult<Vec<u8>> {
        let class = self.world.class_name(index);
        if !value.is_instance(self.world.class(index)?.bind(self.py))?
            && !value
                .get_type()
                .name()
                .is_ok_and(|n| n.to_string() == class)
        {
            return Err(type_error(&class, value));
        }
        let bits = value.getattr("value")?;
        bits.call_method1("to_bytes", (size, "little"))
            .and_then(|b| b.extract())
            .map_err(|_| type_error(&class, value))
    }

    fn unwrap_option(
        &self,
        value: &Bound<'py, PyAny>,
        nested: bool,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        if value.is_none() {
            return Ok(None);
        }
        if !nested {
            return Ok(Some(value.clone()));
        }
        let some = &self.world.helpers(self.py)?.some;
        if !value.is_instance(some.bind(self.py))? {
            return Err(type_error("Some | None", value));
        }
        Ok(Some(value.getattr("value")?))
    }

    fn borrow(&mut self, resource: u32, value: &Bound<'py, PyAny>) -> PyResult<u32> {
        let (handle, lent) = self.world.lower_borrow(self.py, resource, value)?;
        if lent {
            self.lent.push((resource, handle));
        }
        Ok(handle)
    }
}

/// The flat bits of a primitive value: signed types sign-extended to their flat width, then
/// zero-extended to 64 bits. Wrong types and out-of-range values are Python errors that say what
/// was expected.
fn primitive_bits(ty: Type, value: &Bound<'_, PyAny>) -> PyResult<u64> {
    let wrong = |e: PyErr| {
        let py = value.py();
        if e.is_instance_of::<PyOverflowError>(py) {
            let (name, range) = int_range(ty);
            PyOverflowError::new_err(format!(
                "expected {name} in {range}, got {}",
                value.repr().map(|r| r.to_string()).unwrap_or_default()
            ))
        } else if e.is_instance_of::<PyTypeError>(py) {
            type_error(type_name(ty), value)
        } else {
            e
        }
    };
    Ok(match ty {
        Type::Bool => u64::from(
            value
                .extract::<bool>()
                .map_err(|_| type_error("bool", value))?,
        ),
        Type::S8 => value.extract::<i8>().map_err(wrong)? as i32 as u32 as u64,
        Type::U8 => value.extract::<u8>().map_err(wrong)? as u64,
        Type::S16 => value.extract::<i16>().map_err(wrong)? as i32 as u32 as u64,
        Type::U16 => value.extract::<u16>().map_err(wrong)? as u64,
        Type::S32 => value.extract::<i32>().map_err(wrong)? as u32 as u64,
        Type::U32 => value.extract::<u32>().map_err(wrong)? as u64,
        Type::S64 => value.extract::<i64>().map_err(wrong)? as u64,
        Type::U64 => value.extract::<u64>().map_err(wrong)?,
        Type::F32 => (value.extract::<f64>().map_err(wrong)? as f32).to_bits() as u64,
        Type::F64 => value.extract::<f64>().map_err(wrong)?.to_bits(),
        Type::Char => value
            .extract::<char>()
            .map_err(|_| type_error("str of length 1", value))? as u64,
        Type::String | Type::Defined(_) => unreachable!("not a primitive"),
    })
}

fn type_name(ty: Type) -> &'static str {
    match ty {
        Type::F32 | Type::F64 => "float",
        _ => "int",
    }
}

/// The WIT name and range of an integer type.
fn int_range(ty: Type) -> (&'static str, &'static str) {
    match ty {
        Type::S8 => ("s8", "-128..=127"),
        Type::U8 => ("u8", "0..=255"),
        Type::S16 => ("s16", "-32768..=32767"),
        Type::U16 => ("u16", "0..=65535"),
        Type::S32 => ("s32", "-2147483648..=2147483647"),
        Type::U32 => ("u32", "0..=4294967295"),
        Type::S64 => ("s64", "-9223372036854775808..=9223372036854775807"),
        Type::U64 => ("u64", "0..=18446744073709551615"),
        _ => ("number", "range"),
    }
}

fn tuple_items<'py>(value: &Bound<'py, PyAny>, len: usize) -> PyResult<Bound<'py, PyTuple>> {
    let items = value
        .cast::<PyTuple>()
        .map_err(|_| type_error("tuple", value))?;
    if items.len() != len {
        return Err(PyValueError::new_err(format!(
            "expected a tuple of {len} items, got {}",
            items.len()
        )));
    }
    Ok(items.clone())
}

fn write_discriminant(addr: u32, cases: usize, disc: usize) {
    let bytes = (disc as u32).to_le_bytes();
    unsafe { abi::write(addr, &bytes[..abi::discriminant_size(cases) as usize]) };
}

unsafe fn write_pair(addr: u32, ptr: u32, len: u32) {
    unsafe {
        abi::write(addr, &ptr.to_le_bytes());
        abi::write(addr + 4, &len.to_le_bytes());
    }
}

/// A `TypeError` naming what was expected and what came.
pub fn type_error(expected: &str, value: &Bound<'_, PyAny>) -> PyErr {
    let got = value
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into());
    PyTypeError::new_err(format!("expected {expected}, got {got}"))
}

/// `err` with `place: ` in front of its message: an exception of the same type with the same
/// traceback and chain, or a `TypeError` caused by `err` when its type takes no message alone.
fn prefixed(py: Python<'_>, err: PyErr, place: &str) -> PyErr {
    let message = match err.value(py).str() {
        Ok(text) => format!("{place}: {text}"),
        Err(_) => place.to_string(),
    };
    let remade = err
        .get_type(py)
        .call1((message.as_str(),))
        .ok()
        .filter(|e| e.is_instance_of::<pyo3::exceptions::PyBaseException>())
        .map(PyErr::from_value);
    match remade {
        Some(remade) => {
            remade.set_traceback(py, err.traceback(py));
            remade.set_cause(py, err.cause(py));
            remade.set_context(py, err.context(py));
            remade
        }
        None => {
            let remade = PyTypeError::new_err(message);
            remade.set_cause(py, Some(err));
            remade
        }
    }
}
