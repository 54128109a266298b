//! Canonical-ABI plumbing shared by lifting and lowering: layouts of table types, linear-memory
//! access, allocation, and the argument-area slots that carry flat values.

use std::alloc::{self, Layout as AllocLayout};

use componentize_py_abi::{Type, TypeDef, WorldTable};

/// Size and alignment of a type, from the table for defined types.
pub fn size_align(table: &WorldTable, ty: Type) -> (u32, u32) {
    match ty {
        Type::Bool | Type::S8 | Type::U8 => (1, 1),
        Type::S16 | Type::U16 => (2, 2),
        Type::S32 | Type::U32 | Type::Char | Type::F32 => (4, 4),
        Type::S64 | Type::U64 | Type::F64 => (8, 8),
        Type::String => (8, 4),
        Type::Defined(index) => {
            let layout = &def(table, index).layout;
            (layout.size, layout.align)
        }
    }
}

/// How many flat values a type takes.
pub fn flat_count(table: &WorldTable, ty: Type) -> usize {
    match ty {
        Type::String => 2,
        Type::Defined(index) => def(table, index).layout.flat.len(),
        _ => 1,
    }
}

/// The defined type at `index`.
pub fn def(table: &WorldTable, index: u32) -> &TypeDef {
    &table.types[index as usize]
}

/// Rounds `offset` up to a multiple of `align`.
pub fn align_to(offset: u32, align: u32) -> u32 {
    offset.div_ceil(align) * align
}

/// Offsets of a sequence of types laid out as a tuple, and the tuple's size and alignment.
pub fn tuple_layout(table: &WorldTable, types: &[Type]) -> (Vec<u32>, u32, u32) {
    let mut offsets = Vec::with_capacity(types.len());
    let (mut offset, mut max_align) = (0, 1);
    for &ty in types {
        let (size, align) = size_align(table, ty);
        offset = align_to(offset, align);
        offsets.push(offset);
        offset += size;
        max_align = max_align.max(align);
    }
    (offsets, align_to(offset, max_align), max_align)
}

/// Bytes of the discriminant of a variant with `cases` cases.
pub fn discriminant_size(cases: usize) -> u32 {
    match cases {
        0..=0x100 => 1,
        0x101..=0x1_0000 => 2,
        _ => 4,
    }
}

/// Reads `N` bytes of linear memory at `addr`.
///
/// # Safety
/// `addr..addr+N` must be inside linear memory; in wasm every address below the memory size is.
pub unsafe fn read<const N: usize>(addr: u32) -> [u8; N] {
    unsafe { std::ptr::read_unaligned(addr as usize as *const [u8; N]) }
}

/// Writes bytes into linear memory at `addr`.
///
/// # Safety
/// The range must be memory the caller owns.
pub unsafe fn write(addr: u32, bytes: &[u8]) {
    unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), addr as usize as *mut u8, bytes.len()) }
}

/// Reads a little-endian `u32` from linear memory.
///
/// # Safety
/// As [`read`].
pub unsafe fn read_u32(addr: u32) -> u32 {
    u32::from_le_bytes(unsafe { read::<4>(addr) })
}

/// Borrows `len` bytes of linear memory at `addr`.
///
/// # Safety
/// As [`read`]; the bytes must not change while borrowed.
pub unsafe fn bytes<'a>(addr: u32, len: u32) -> &'a [u8] {
    if len == 0 {
        return &[];
    }
    unsafe { std::slice::from_raw_parts(addr as usize as *const u8, len as usize) }
}

/// A block of memory the runtime allocated or was handed, to be freed later.
#[derive(Debug, Clone, Copy)]
pub struct Block {
    /// Its address.
    pub addr: u32,
    /// Its size in bytes.
    pub size: u32,
    /// Its alignment.
    pub align: u32,
}

/// Allocates `size` bytes aligned to `align`; zero-sized blocks get a dangling aligned address.
pub fn allocate(size: u32, align: u32) -> u32 {
    if size == 0 {
        return align;
    }
    let layout = AllocLayout::from_size_align(size as usize, align as usize).expect("bad layout");
    let ptr = unsafe { alloc::alloc(layout) };
    if ptr.is_null() {
        alloc::handle_alloc_error(layout);
    }
    ptr as usize as u32
}

/// Frees a block from [`allocate`] or from the canonical-ABI `cabi_realloc`.
pub fn free(block: Block) {
    if block.size == 0 {
        return;
    }
    let layout = AllocLayout::from_size_align(block.size as usize, block.align as usize)
        .expect("bad layout");
    unsafe { alloc::dealloc(block.addr as usize as *mut u8, layout) }
}

/// The canonical-ABI `realloc`: grows, shrinks, allocates (old size 0) or frees (new size 0).
pub fn realloc(old: u32, old_size: u32, align: u32, new_size: u32) -> u32 {
    if old_size == 0 {
        return allocate(new_size, align);
    }
    if new_size == 0 {
        free(Block {
            addr: old,
            size: old_size,
            align,
        });
        return align;
    }
    let layout =
        AllocLayout::from_size_align(old_size as usize, align as usize).expect("bad layout");
    let ptr = unsafe { alloc::realloc(old as usize as *mut u8, layout, new_size as usize) };
    if ptr.is_null() {
        alloc::handle_alloc_error(layout);
    }
    ptr as usize as u32
}

/// Reads flat values from argument-area slots. Each slot holds one flat value in its low bytes,
/// whatever type the glue stored it with, so a payload narrower than its joined slot type reads
/// back by its own type (the canonical ABI's join only zero-extends and reinterprets bits).
pub struct FlatReader<'a> {
    slots: &'a [u64],
    next: usize,
}

impl<'a> FlatReader<'a> {
    /// Reads from the start of `slots`.
    pub fn new(slots: &'a [u64]) -> Self {
        Self { slots, next: 0 }
    }

    /// The next raw slot.
    pub fn next_raw(&mut self) -> u64 {
        let value = self.slots[self.next];
        self.next += 1;
        value
    }

    /// The next slot as an `i32`.
    pub fn next_i32(&mut self) -> u32 {
        self.next_raw() as u32
    }

    /// Skips `count` slots.
    pub fn skip(&mut self, count: usize) {
        self.next += count;
    }

    /// How many slots were read or skipped.
    pub fn position(&self) -> usize {
        self.next
    }
}

/// Writes flat values into argument-area slots, zero-extended to 64 bits, which is what the
/// canonical ABI's join of flat types asks for.
pub struct FlatWriter<'a> {
    slots: &'a mut [u64],
    next: usize,
}

impl<'a> FlatWriter<'a> {
    /// Writes from the start of `slots`.
    pub fn new(slots: &'a mut [u64]) -> Self {
        Self { slots, next: 0 }
    }

    /// Writes the next slot.
    pub fn push(&mut self, value: u64) {
        self.slots[self.next] = value;
        self.next += 1;
    }

    /// Fills `count` slots with zeros (unused payload slots of a variant case).
    pub fn pad(&mut self, count: usize) {
        for _ in 0..count {
            self.push(0);
        }
    }

    /// How many slots were written.
    pub fn position(&self) -> usize {
        self.next
    }
}
