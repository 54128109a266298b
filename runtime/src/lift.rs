//! Lifting: canonical-ABI values in linear memory or in flat slots → Python objects.

use componentize_py_abi::{Type, TypeKind};
use pyo3::exceptions::PyValueError;
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyTuple};

use crate::abi::{self, Block, FlatReader};
use crate::world::{Resolved, World};

/// Lifts values of one call. When `owned`, list and string buffers were handed to the runtime
/// (export parameters, import results) and are collected in `blocks` for freeing once lifted.
pub struct Lifter<'w, 'py> {
    py: Python<'py>,
    world: &'w World,
    owned: bool,
    /// Buffers to free after lifting.
    pub blocks: Vec<Block>,
}

impl<'w, 'py> Lifter<'w, 'py> {
    /// A lifter for one call.
    pub fn new(py: Python<'py>, world: &'w World, owned: bool) -> Self {
        Self {
            py,
            world,
            owned,
            blocks: Vec::new(),
        }
    }

    /// Frees the buffers collected so far.
    pub fn free_blocks(&mut self) {
        self.blocks.drain(..).for_each(abi::free);
    }

    /// Loads a value of type `ty` stored at `addr`.
    pub fn load(&mut self, ty: Type, addr: u32) -> PyResult<Bound<'py, PyAny>> {
        let table = &self.world.table;
        match ty {
            Type::String => {
                let (ptr, len) = unsafe { (abi::read_u32(addr), abi::read_u32(addr + 4)) };
                self.string(ptr, len)
            }
            Type::Defined(index) => {
                let def = abi::def(table, index);
                match &def.kind {
                    TypeKind::Record { fields, .. } => {
                        let kwargs = PyDict::new(self.py);
                        for field in fields {
                            kwargs
                                .set_item(&field.name, self.load(field.ty, addr + field.offset)?)?;
                        }
                        self.world
                            .class(index)?
                            .bind(self.py)
                            .call((), Some(&kwargs))
                    }
                    TypeKind::Tuple { elements } => {
                        let items = elements
                            .iter()
                            .map(|e| self.load(e.ty, addr + e.offset))
                            .collect::<PyResult<Vec<_>>>()?;
                        Ok(PyTuple::new(self.py, items)?.into_any())
                    }
                    TypeKind::Variant {
                        cases,
                        payload_offset,
                    } => {
                        let disc = read_discriminant(addr, cases.len())?;
                        let payload = match cases[disc].ty {
                            Some(ty) => Some(self.load(ty, addr + payload_offset)?),
                            None => None,
                        };
                        self.variant_case(index, disc, payload)
                    }
                    TypeKind::Enum { cases, .. } => {
                        let disc = read_discriminant(addr, *cases as usize)?;
                        self.enum_member(index, disc)
                    }
                    TypeKind::Flags { .. } => {
                        let bits = unsafe { abi::bytes(addr, def.layout.size) };
                        let value = flags_value(self.py, bits)?;
                        self.world.class(index)?.bind(self.py).call1((value,))
                    }
                    TypeKind::Option {
                        ty,
                        payload_offset,
                        nested,
                    } => match unsafe { abi::read::<1>(addr)[0] } {
                        0 => Ok(self.py.None().into_bound(self.py)),
                        1 => {
                            let value = self.load(*ty, addr + payload_offset)?;
                            self.wrap_some(value, *nested)
                        }
                        d => Err(bad_discriminant(d as u32, 2)),
                    },
                    TypeKind::Result {
                        ok,
                        err,
                        payload_offset,
                    } => {
                        let disc = unsafe { abi::read::<1>(addr)[0] };
                        let payload_ty = match disc {
                            0 => ok,
                            1 => err,
                            d => return Err(bad_discriminant(d as u32, 2)),
                        };
                        let payload = match payload_ty {
                            Some(ty) => self.load(*ty, addr + payload_offset)?,
                            None => self.py.None().into_bound(self.py),
                        };
                        self.world.result_value(self.py, disc == 0, payload)
                    }
                    TypeKind::List { element } => {
                        let (ptr, len) = unsafe { (abi::read_u32(addr), abi::read_u32(addr + 4)) };
                        self.list(*element, ptr, len)
                    }
                    TypeKind::Bytes => {
                        let (ptr, len) = unsafe { (abi::read_u32(addr), abi::read_u32(addr + 4)) };
                        Ok(self.bytes(ptr, len))
                    }
                    TypeKind::Own(resource) => {
                        let handle = unsafe { abi::read_u32(addr) };
                        self.world.lift_own(self.py, *resource, handle)
                    }
                    TypeKind::Borrow(resource) => {
                        let handle = unsafe { abi::read_u32(addr) };
                        self.world.lift_borrow(self.py, *resource, handle)
                    }
                }
            }
            primitive => {
                let (size, _) = abi::size_align(table, primitive);
                let mut raw = [0u8; 8];
                raw[..size as usize].copy_from_slice(unsafe { abi::bytes(addr, size) });
                self.primitive(primitive, u64::from_le_bytes(raw))
            }
        }
    }

    /// Lifts a value of type `ty` from flat slots.
    pub fn lift_flat(
        &mut self,
        ty: Type,
        flat: &mut FlatReader<'_>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let table = &self.world.table;
        match ty {
            Type::String => {
                let (ptr, len) = (flat.next_i32(), flat.next_i32());
                self.string(ptr, len)
            }
            Type::Defined(index) => {
                let def = abi::def(table, index);
                match &def.kind {
                    TypeKind::Record { fields, .. } => {
                        let kwargs = PyDict::new(self.py);
                        for field in fields {
                            kwargs.set_item(&field.name, self.lift_flat(field.ty, flat)?)?;
                        }
                        self.world
                            .class(index)?
                            .bind(self.py)
                            .call((), Some(&kwargs))
                    }
                    TypeKind::Tuple { elements } => {
                        let items = elements
                            .iter()
                            .map(|e| self.lift_flat(e.ty, flat))
                            .collect::<PyResult<Vec<_>>>()?;
                        Ok(PyTuple::new(self.py, items)?.into_any())
                    }
                    TypeKind::Variant { cases, .. } => {
                        let disc = flat.next_i32() as usize;
                        let case = cases
                            .get(disc)
                            .ok_or_else(|| bad_discriminant(disc as u32, cases.len()))?;
                        let payload =
                            self.joined_payload(case.ty, def.layout.flat.len() - 1, flat)?;
                        self.variant_case(index, disc, payload)
                    }
                    TypeKind::Enum { .. } => {
                        let disc = flat.next_i32() as usize;
                        self.enum_member(index, disc)
                    }
                    TypeKind::Flags { .. } => {
                        let words = def.layout.flat.len();
                        let mut bits = Vec::with_capacity(words * 4);
                        for _ in 0..words {
                            bits.extend_from_slice(&flat.next_i32().to_le_bytes());
                        }
                        let value = flags_value(self.py, &bits)?;
                        self.world.class(index)?.bind(self.py).call1((value,))
                    }
                    TypeKind::Option { ty, nested, .. } => {
                        let disc = flat.next_i32();
                        let payload = self.joined_payload(
                            (disc == 1).then_some(*ty),
                            def.layout.flat.len() - 1,
                            flat,
                        )?;
                        match (disc, payload) {
                            (0, _) => Ok(self.py.None().into_bound(self.py)),
                            (1, Some(value)) => self.wrap_some(value, *nested),
                            (d, _) => Err(bad_discriminant(d, 2)),
                        }
                    }
                    TypeKind::Result { ok, err, .. } => {
                        let disc = flat.next_i32();
                        let payload_ty = match disc {
                            0 => *ok,
                            1 => *err,
                            d => return Err(bad_discriminant(d, 2)),
                        };
                        let payload = self
                            .joined_payload(payload_ty, def.layout.flat.len() - 1, flat)?
                            .unwrap_or_else(|| self.py.None().into_bound(self.py));
                        self.world.result_value(self.py, disc == 0, payload)
                    }
                    TypeKind::List { element } => {
                        let (ptr, len) = (flat.next_i32(), flat.next_i32());
                        self.list(*element, ptr, len)
                    }
                    TypeKind::Bytes => {
                        let (ptr, len) = (flat.next_i32(), flat.next_i32());
                        Ok(self.bytes(ptr, len))
                    }
                    TypeKind::Own(resource) => {
                        self.world.lift_own(self.py, *resource, flat.next_i32())
                    }
                    TypeKind::Borrow(resource) => {
                        self.world.lift_borrow(self.py, *resource, flat.next_i32())
                    }
                }
            }
            primitive => self.primitive(primitive, flat.next_raw()),
        }
    }

    /// Lifts a case payload from the `width` joined slots of a variant, then skips the rest.
    fn joined_payload(
        &mut self,
        ty: Option<Type>,
        width: usize,
        flat: &mut FlatReader<'_>,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        let start = flat.position();
        let value = ty.map(|ty| self.lift_flat(ty, flat)).transpose()?;
        flat.skip(start + width - flat.position());
        Ok(value)
    }

    fn primitive(&self, ty: Type, bits: u64) -> PyResult<Bound<'py, PyAny>> {
        let py = self.py;
        Ok(match ty {
            Type::Bool => (bits as u32 != 0).into_pyobject(py)?.to_owned().into_any(),
            Type::S8 => (bits as u8 as i8).into_pyobject(py)?.into_any(),
            Type::U8 => (bits as u8).into_pyobject(py)?.into_any(),
            Type::S16 => (bits as u16 as i16).into_pyobject(py)?.into_any(),
            Type::U16 => (bits as u16).into_pyobject(py)?.into_any(),
            Type::S32 => (bits as u32 as i32).into_pyobject(py)?.into_any(),
            Type::U32 => (bits as u32).into_pyobject(py)?.into_any(),
            Type::S64 => (bits as i64).into_pyobject(py)?.into_any(),
            Type::U64 => bits.into_pyobject(py)?.into_any(),
            Type::F32 => (f32::from_bits(bits as u32) as f64)
                .into_pyobject(py)?
                .into_any(),
            Type::F64 => f64::from_bits(bits).into_pyobject(py)?.into_any(),
            Type::Char => char::from_u32(bits as u32)
                .ok_or_else(|| PyValueError::new_err(format!("invalid char value {bits:#x}")))?
                .into_pyobject(py)?
                .into_any(),
            Type::String | Type::Defined(_) => unreachable!("not a primitive"),
        })
    }

    fn string(&mut self, ptr: u32, len: u32) -> PyResult<Bound<'py, PyAny>> {
        // CPython checks the UTF-8 as it decodes it (UnicodeDecodeError when invalid).
        let bytes = unsafe { abi::bytes(ptr, len) };
        let value = unsafe {
            let decoded = ffi::PyUnicode_DecodeUTF8(
                bytes.as_ptr().cast(),
                bytes.len() as ffi::Py_ssize_t,
                std::ptr::null(),
            );
            Bound::from_owned_ptr_or_err(self.py, decoded)?
        };
        self.own(ptr, len, 1);
        Ok(value)
    }

    /// A `list<u8>` or `list<s8>`: `bytes` of the same bytes (an `s8` in two's complement).
    fn bytes(&mut self, ptr: u32, len: u32) -> Bound<'py, PyAny> {
        let value = PyBytes::new(self.py, unsafe { abi::bytes(ptr, len) }).into_any();
        self.own(ptr, len, 1);
        value
    }

    fn list(&mut self, element: Type, ptr: u32, len: u32) -> PyResult<Bound<'py, PyAny>> {
        let (size, align) = abi::size_align(&self.world.table, element);
        // Items go straight into the new list; if one fails, its deallocation skips the slots
        // still empty.
        let list = unsafe {
            Bound::from_owned_ptr_or_err(self.py, ffi::PyList_New(len as ffi::Py_ssize_t))?
        };
        for i in 0..len {
            let item = self.load(element, ptr + i * size)?;
            unsafe { ffi::PyList_SET_ITEM(list.as_ptr(), i as ffi::Py_ssize_t, item.into_ptr()) };
        }
        self.own(ptr, len * size, align);
        Ok(list)
    }

    fn own(&mut self, addr: u32, size: u32, align: u32) {
        if self.owned {
            self.blocks.push(Block { addr, size, align });
        }
    }

    fn variant_case(
        &self,
        index: u32,
        disc: usize,
        payload: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let Resolved::Cases(classes) = &self.world.resolved[index as usize] else {
            unreachable!("variant types resolve to their case classes")
        };
        let class = classes
            .get(disc)
            .ok_or_else(|| bad_discriminant(disc as u32, classes.len()))?;
        match payload {
            Some(value) => class.bind(self.py).call1((value,)),
            None => class.bind(self.py).call0(),
        }
    }

    fn enum_member(&self, index: u32, disc: usize) -> PyResult<Bound<'py, PyAny>> {
        let Resolved::Members(members) = &self.world.resolved[index as usize] else {
            unreachable!("enum types resolve to their members")
        };
        let member = members
            .get(disc)
            .ok_or_else(|| bad_discriminant(disc as u32, members.len()))?;
        Ok(member.bind(self.py).clone())
    }

    fn wrap_some(&self, value: Bound<'py, PyAny>, nested: bool) -> PyResult<Bound<'py, PyAny>> {
        if nested {
            self.world
                .helpers(self.py)?
                .some
                .bind(self.py)
                .call1((value,))
        } else {
            Ok(value)
        }
    }
}

fn read_discriminant(addr: u32, cases: usize) -> PyResult<usize> {
    let disc = unsafe {
        match abi::discriminant_size(cases) {
            1 => abi::read::<1>(addr)[0] as usize,
            2 => u16::from_le_bytes(abi::read::<2>(addr)) as usize,
            _ => abi::read_u32(addr) as usize,
        }
    };
    if disc >= cases {
        return Err(bad_discriminant(disc as u32, cases));
    }
    Ok(disc)
}

/// The Python int whose little-endian bytes are `bits`.
fn flags_value<'py>(py: Python<'py>, bits: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    let int = py.get_type::<pyo3::types::PyInt>();
    int.call_method1("from_bytes", (PyBytes::new(py, bits), "little"))
}

fn bad_discriminant(disc: u32, cases: usize) -> PyErr {
    PyValueError::new_err(format!(
        "discriminant {disc} out of range for {cases} cases"
    ))
}
