//! Host-independent file stats during pre-initialisation. Device and inode numbers, link counts
//! and timestamps differ between machines and runs, and the stat results the guest frees stay in
//! its memory, so they would reach the snapshot. The module the engine runs therefore gets a
//! wrapper around `fd_filestat_get` and `path_filestat_get` that keeps only type and size. The
//! wrapping is done here, on the module, so every engine behaves the same.

use std::convert::Infallible;

use anyhow::{Result, anyhow};
use wasm_encoder::reencode::{Error as ReencodeError, Reencode};
use wasm_encoder::{
    BlockType, CodeSection, ElementSection, ExportSection, Function, FunctionSection,
    Instruction as I, MemArg, MemArgTarget, Module, RawSection, ValType,
};
use wasmparser::{Parser, Payload, TypeRef};

const WASI: &str = "wasi_snapshot_preview1";

/// The wrapped imports: (name, parameter count, index of the `filestat` buffer parameter).
const STAT_IMPORTS: [(&str, u32, u32); 2] =
    [("fd_filestat_get", 2, 1), ("path_filestat_get", 5, 4)];

/// Fields of a preview1 `filestat` rewritten after a successful call, as (offset, value): device,
/// inode, link count (1) and the three timestamps. Type (at 16) and size (at 32) are kept.
const NORMALIZED: [(u64, i64); 6] = [(0, 0), (8, 0), (24, 1), (40, 0), (48, 0), (56, 0)];

/// A wrapped import: its function index, type index, parameter count and buffer parameter.
struct Wrapped {
    import: u32,
    ty: u32,
    params: u32,
    buffer: u32,
}

/// Redirects calls of the stat imports to their wrappers.
struct Redirect {
    targets: Vec<(u32, u32)>,
}

impl Reencode for Redirect {
    type Error = Infallible;

    fn function_index(&mut self, func: u32) -> Result<u32, ReencodeError<Infallible>> {
        Ok(self
            .targets
            .iter()
            .find(|(from, _)| *from == func)
            .map_or(func, |(_, to)| *to))
    }
}

fn reencode(error: ReencodeError<Infallible>) -> anyhow::Error {
    anyhow!("wrapping the stat imports: {error}")
}

/// Returns `module` with its stat imports wrapped.
pub fn normalize(module: &[u8]) -> Result<Vec<u8>> {
    let mut out = Module::new();
    let mut redirect = Redirect {
        targets: Vec::new(),
    };
    let mut wrapped = Vec::new();
    let mut imported = 0u32;
    let mut code = CodeSection::new();
    let mut bodies_left = 0u32;
    for payload in Parser::new(0).parse_all(module) {
        match payload? {
            Payload::Version { .. } | Payload::End(_) => {}
            Payload::ImportSection(reader) => {
                for import in reader.clone().into_imports() {
                    let import = import?;
                    let TypeRef::Func(ty) = import.ty else {
                        continue;
                    };
                    if import.module == WASI
                        && let Some((_, params, buffer)) =
                            STAT_IMPORTS.iter().find(|(name, ..)| *name == import.name)
                    {
                        wrapped.push(Wrapped {
                            import: imported,
                            ty,
                            params: *params,
                            buffer: *buffer,
                        });
                    }
                    imported += 1;
                }
                let range = reader.range();
                let data = &module[range.start as usize..range.end as usize];
                out.section(&RawSection {
                    id: wasm_encoder::SectionId::Import as u8,
                    data,
                });
            }
            Payload::FunctionSection(reader) => {
                let defined = reader.count();
                let mut functions = FunctionSection::new();
                redirect
                    .parse_function_section(&mut functions, reader)
                    .map_err(reencode)?;
                for (i, w) in wrapped.iter().enumerate() {
                    functions.function(w.ty);
                    redirect
                        .targets
                        .push((w.import, imported + defined + i as u32));
                }
                out.section(&functions);
            }
            Payload::ExportSection(reader) => {
                let mut exports = ExportSection::new();
                redirect
                    .parse_export_section(&mut exports, reader)
                    .map_err(reencode)?;
                out.section(&exports);
            }
            Payload::ElementSection(reader) => {
                let mut elements = ElementSection::new();
                redirect
                    .parse_element_section(&mut elements, reader)
                    .map_err(reencode)?;
                out.section(&elements);
            }
            Payload::CodeSectionStart { count, .. } => bodies_left = count,
            Payload::CodeSectionEntry(body) => {
                redirect
                    .parse_function_body(&mut code, body)
                    .map_err(reencode)?;
                bodies_left -= 1;
                if bodies_left == 0 {
                    for w in &wrapped {
                        code.function(&wrapper(w));
                    }
                    out.section(&code);
                }
            }
            Payload::CustomSection(section) => {
                redirect
                    .parse_custom_section(&mut out, section)
                    .map_err(reencode)?;
            }
            other => {
                if let Some((id, range)) = other.as_section() {
                    out.section(&RawSection {
                        id,
                        data: &module[range.start as usize..range.end as usize],
                    });
                }
            }
        }
    }
    Ok(out.finish())
}

/// Calls the import with the wrapper's own parameters and, on success, rewrites the volatile
/// fields of the `filestat` its buffer parameter points to.
fn wrapper(w: &Wrapped) -> Function {
    let errno = w.params;
    let mut f = Function::new([(1, ValType::I32)]);
    for i in 0..w.params {
        f.instruction(&I::LocalGet(i));
    }
    f.instruction(&I::Call(w.import));
    f.instruction(&I::LocalTee(errno));
    f.instruction(&I::I32Eqz);
    f.instruction(&I::If(BlockType::Empty));
    for (offset, value) in NORMALIZED {
        f.instruction(&I::LocalGet(w.buffer));
        f.instruction(&I::I64Const(value));
        f.instruction(&I::I64Store(MemArg {
            offset,
            align: 3,
            target: MemArgTarget::Memory(0),
            ordering: None,
        }));
    }
    f.instruction(&I::End);
    f.instruction(&I::LocalGet(errno));
    f.instruction(&I::End);
    f
}
