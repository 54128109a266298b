//! Lowering: Python objects → canonical-ABI values in linear memory or in flat slots.

use componentize_py_abi::{Type, TypeKind};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyInt, PyString, PyTuple};

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
        }
    }

    /// Allocates a block the call owns.
    pub fn allocate(&mut self, size: u32, align: u32) -> u32 {
        let addr = abi::allocate(size, align);
        self.blocks.push(Block { addr, size, align });
        addr
    }

    /// Stores `value` as type `ty` at `addr`.
    pub fn store(&mut self, ty: Type, value: &Bound<'py, PyAny>, addr: u32) -> PyResult<()> {
        let table = &self.world.table;
        match ty {
            Type::String => {
                let (ptr, len) = self.string(value)?;
                unsafe { write_pair(addr, ptr, len) };
            }
            Type::Defined(index) => {
                let def = abi::def(table, index);
                match &def.kind {
                    TypeKind::Record { fields, .. } => {
                        for field in fields {
                            let item = value.getattr(field.name.as_str())?;
                            self.store(field.ty, &item, addr + field.offset)?;
                        }
                    }
                    TypeKind::Tuple { elements } => {
                        let items = tuple_items(value, elements.len())?;
                        for (element, item) in elements.iter().zip(items.iter()) {
                            self.store(element.ty, &item, addr + element.offset)?;
                        }
                    }
                    TypeKind::Variant {
                        cases,
                        payload_offset,
                    } => {
                        let (disc, payload) = self.variant_case(index, value)?;
                        write_discriminant(addr, cases.len(), disc);
                        if let (Some(ty), Some(payload)) = (cases[disc].ty, payload) {
                            self.store(ty, &payload, addr + payload_offset)?;
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
                            self.store(*ty, &payload, addr + payload_offset)?;
                        }
                    },
                    TypeKind::Result {
                        ok,
                        err,
                        payload_offset,
                    } => {
                        let (is_ok, payload) = self.world.result_parts(self.py, value)?;
                        unsafe { abi::write(addr, &[u8::from(!is_ok)]) };
                        if let Some(ty) = if is_ok { ok } else { err } {
                            self.store(*ty, &payload, addr + payload_offset)?;
                        }
                    }
                    TypeKind::List { element } => {
                        let (ptr, len) = self.list(*element, value)?;
                        unsafe { write_pair(addr, ptr, len) };
                    }
                    TypeKind::Own(resource) => {
                        let handle = self.world.lower_own(self.py, *resource, value)?;
                        unsafe { abi::write(addr, &handle.to_le_bytes()) };
                    }
                    TypeKind::Borrow(resource) => {
                        let handle = self.borrow(*resource, value)?;
                        unsafe { abi::write(addr, &handle.to_le_bytes()) };
                    }
                }
            }
            primitive => {
                let (size, _) = abi::size_align(table, primitive);
                let bits = primitive_bits(primitive, value)?;
                unsafe { abi::write(addr, &bits.to_le_bytes()[..size as usize]) };
            }
        }
        Ok(())
    }

    /// Lowers `value` as type `ty` into flat slots.
    pub fn lower_flat(
        &mut self,
        ty: Type,
        value: &Bound<'py, PyAny>,
        flat: &mut FlatWriter<'_>,
    ) -> PyResult<()> {
        let table = &self.world.table;
        match ty {
            Type::String => {
                let (ptr, len) = self.string(value)?;
                flat.push(ptr.into());
                flat.push(len.into());
            }
            Type::Defined(index) => {
                let def = abi::def(table, index);
                let width = def.layout.flat.len();
                match &def.kind {
                    TypeKind::Record { fields, .. } => {
                        for field in fields {
                            let item = value.getattr(field.name.as_str())?;
                            self.lower_flat(field.ty, &item, flat)?;
                        }
                    }
                    TypeKind::Tuple { elements } => {
                        let items = tuple_items(value, elements.len())?;
                        for (element, item) in elements.iter().zip(items.iter()) {
                            self.lower_flat(element.ty, &item, flat)?;
                        }
                    }
                    TypeKind::Variant { cases, .. } => {
                        let (disc, payload) = self.variant_case(index, value)?;
                        flat.push(disc as u64);
                        self.joined_payload(cases[disc].ty.zip(payload), width - 1, flat)?;
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
                        self.joined_payload(payload.map(|p| (*ty, p)), width - 1, flat)?;
                    }
                    TypeKind::Result { ok, err, .. } => {
                        let (is_ok, payload) = self.world.result_parts(self.py, value)?;
                        flat.push(u64::from(!is_ok));
                        let ty = if is_ok { *ok } else { *err };
                        self.joined_payload(ty.map(|ty| (ty, payload)), width - 1, flat)?;
                    }
                    TypeKind::List { element } => {
                        let (ptr, len) = self.list(*element, value)?;
                        flat.push(ptr.into());
                        flat.push(len.into());
                    }
                    TypeKind::Own(resource) => {
                        flat.push(self.world.lower_own(self.py, *resource, value)?.into())
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
            self.lower_flat(ty, &value, flat)?;
        }
        flat.pad(start + width - flat.position());
        Ok(())
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

    fn list(&mut self, element: Type, value: &Bound<'py, PyAny>) -> PyResult<(u32, u32)> {
        if element == Type::U8 {
            if let Ok(bytes) = value.cast::<PyBytes>() {
                return Ok(self.keep(value, bytes.as_bytes()));
            }
            if let Ok(array) = value.cast::<PyByteArray>() {
                return Ok(self.copy_bytes(&array.to_vec(), 1));
            }
            // Any other iterable of ints in 0..=255 (a list, a memoryview): `bytes()` checks it.
            if value.is_instance_of::<PyInt>() || value.is_instance_of::<PyString>() {
                return Err(type_error("bytes", value));
            }
            let bytes = self
                .py
                .get_type::<PyBytes>()
                .call1((value,))
                .map_err(|_| type_error("bytes", value))?;
            return Ok(self.keep(&bytes, bytes.cast::<PyBytes>()?.as_bytes()));
        }
        if value.is_instance_of::<PyString>() {
            return Err(type_error("list", value));
        }
        let (size, align) = abi::size_align(&self.world.table, element);
        let len = value.len().map_err(|_| type_error("list", value))? as u32;
        let ptr = self.allocate(len * size, align);
        for (i, item) in value.try_iter()?.enumerate() {
            self.store(element, &item?, ptr + i as u32 * size)?;
        }
        Ok((ptr, len))
    }

    fn copy_bytes(&mut self, bytes: &[u8], align: u32) -> (u32, u32) {
        let ptr = self.allocate(bytes.len() as u32, align);
        unsafe { abi::write(ptr, bytes) };
        (ptr, bytes.len() as u32)
    }

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
        for (disc, class) in classes.iter().enumerate() {
            if value.is_instance(class.bind(self.py))? {
                let payload = cases[disc].ty.map(|_| value.getattr("value")).transpose()?;
                return Ok((disc, payload));
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
        Err(type_error(&names.join(" | "), value))
    }

    fn enum_index(&self, index: u32, value: &Bound<'py, PyAny>) -> PyResult<usize> {
        let Resolved::Members(members) = &self.world.resolved[index as usize] else {
            unreachable!("enum types resolve to their members")
        };
        members
            .iter()
            .position(|m| m.bind(self.py).is(value))
            .ok_or_else(|| type_error(&self.world.class_name(index), value))
    }

    fn flags_bytes(&self, index: u32, value: &Bound<'py, PyAny>, size: usize) -> PyResult<Vec<u8>> {
        if !value.is_instance(self.world.class(index)?.bind(self.py))? {
            return Err(type_error(&self.world.class_name(index), value));
        }
        let bits = value.getattr("value")?;
        bits.call_method1("to_bytes", (size, "little"))?.extract()
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
            return Err(type_error("Some", value));
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
/// zero-extended to 64 bits. Wrong types and out-of-range values are Python errors.
fn primitive_bits(ty: Type, value: &Bound<'_, PyAny>) -> PyResult<u64> {
    let wrong = |e: PyErr| {
        if e.is_instance_of::<PyTypeError>(value.py()) {
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
