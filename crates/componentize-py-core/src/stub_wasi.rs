//! `--stub-wasi`: replaces every WASI preview1 import of the linked module with a local stub, so
//! the component imports nothing but its world. The argument and environment queries report
//! none (the runtime asks for them on its first call); every other function fails with `ENOSYS`,
//! which Python reports as an `OSError`.

use std::convert::Infallible;

use anyhow::{Result, anyhow};
use wasm_encoder::reencode::{Error as ReencodeError, Reencode, RoundtripReencoder};
use wasm_encoder::{
    CodeSection, ElementSection, ExportSection, Function, FunctionSection, ImportSection,
    Instruction as I, MemArg, MemArgTarget, Module, RawSection,
};
use wasmparser::{Parser, Payload, TypeRef};

const WASI: &str = "wasi_snapshot_preview1";
const ENOSYS: i32 = 52;

/// Functions that succeed, writing zero to each of their (pointer) parameters: "no arguments",
/// "no environment variables".
const EMPTY: [&str; 2] = ["args_sizes_get", "environ_sizes_get"];
/// Functions that succeed without writing anything (there is nothing to list).
const NOTHING: [&str; 2] = ["args_get", "environ_get"];

/// Maps the old function index space to the new one: stubbed imports move after the module's own
/// functions, the remaining imports and the defined functions move down.
struct Renumber {
    /// Old index of each import, and whether it is stubbed.
    imports: Vec<bool>,
    /// New index of the first stub (imports kept + defined functions).
    first_stub: u32,
}

impl Renumber {
    fn map(&self, func: u32) -> u32 {
        let stubbed_before = |end: usize| self.imports[..end].iter().filter(|s| **s).count() as u32;
        match self.imports.get(func as usize) {
            Some(true) => self.first_stub + stubbed_before(func as usize),
            Some(false) => func - stubbed_before(func as usize),
            None => func - stubbed_before(self.imports.len()),
        }
    }
}

impl Reencode for Renumber {
    type Error = Infallible;

    fn function_index(&mut self, func: u32) -> Result<u32, ReencodeError<Infallible>> {
        Ok(self.map(func))
    }
}

fn reencode(error: ReencodeError<Infallible>) -> anyhow::Error {
    anyhow!("stubbing WASI: {error}")
}

/// Returns `module` with its WASI preview1 imports replaced by stubs.
pub fn stub(module: &[u8]) -> Result<Vec<u8>> {
    let mut out = Module::new();
    let mut renumber = Renumber {
        imports: Vec::new(),
        first_stub: 0,
    };
    // (name, type index, parameter count) of each stubbed import.
    let mut stubs: Vec<(String, u32, usize)> = Vec::new();
    let mut param_counts: Vec<usize> = Vec::new();
    let mut code = CodeSection::new();
    let mut bodies_left = 0u32;
    for payload in Parser::new(0).parse_all(module) {
        match payload? {
            Payload::Version { .. } | Payload::End(_) => {}
            Payload::TypeSection(reader) => {
                for group in reader.clone() {
                    for ty in group?.into_types() {
                        param_counts.push(match ty.composite_type.inner {
                            wasmparser::CompositeInnerType::Func(f) => f.params().len(),
                            _ => 0,
                        });
                    }
                }
                let mut types = wasm_encoder::TypeSection::new();
                renumber
                    .parse_type_section(&mut types, reader)
                    .map_err(reencode)?;
                out.section(&types);
            }
            Payload::ImportSection(reader) => {
                let mut imports = ImportSection::new();
                for import in reader.into_imports() {
                    let import = import?;
                    let TypeRef::Func(ty) = import.ty else {
                        return Err(anyhow!("unexpected non-function import `{}`", import.name));
                    };
                    let stubbed = import.module == WASI;
                    renumber.imports.push(stubbed);
                    if stubbed {
                        stubs.push((import.name.to_string(), ty, param_counts[ty as usize]));
                    } else {
                        let ty = RoundtripReencoder
                            .entity_type(import.ty)
                            .map_err(reencode)?;
                        imports.import(import.module, import.name, ty);
                    }
                }
                out.section(&imports);
            }
            Payload::FunctionSection(reader) => {
                let kept = renumber.imports.iter().filter(|s| !**s).count() as u32;
                renumber.first_stub = kept + reader.count();
                let mut functions = FunctionSection::new();
                renumber
                    .parse_function_section(&mut functions, reader)
                    .map_err(reencode)?;
                for (_, ty, _) in &stubs {
                    functions.function(*ty);
                }
                out.section(&functions);
            }
            Payload::ExportSection(reader) => {
                let mut exports = ExportSection::new();
                renumber
                    .parse_export_section(&mut exports, reader)
                    .map_err(reencode)?;
                out.section(&exports);
            }
            Payload::ElementSection(reader) => {
                let mut elements = ElementSection::new();
                renumber
                    .parse_element_section(&mut elements, reader)
                    .map_err(reencode)?;
                out.section(&elements);
            }
            Payload::CodeSectionStart { count, .. } => bodies_left = count,
            Payload::CodeSectionEntry(body) => {
                renumber
                    .parse_function_body(&mut code, body)
                    .map_err(reencode)?;
                bodies_left -= 1;
                if bodies_left == 0 {
                    for (name, _, params) in &stubs {
                        code.function(&stub_body(name, *params));
                    }
                    out.section(&code);
                }
            }
            Payload::CustomSection(section) => {
                renumber
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

/// The body of the stub for WASI function `name` with `params` parameters.
fn stub_body(name: &str, params: usize) -> Function {
    let mut f = Function::new([]);
    if EMPTY.contains(&name) {
        for param in 0..params as u32 {
            f.instruction(&I::LocalGet(param));
            f.instruction(&I::I32Const(0));
            f.instruction(&I::I32Store(MemArg {
                offset: 0,
                align: 2,
                target: MemArgTarget::Memory(0),
                ordering: None,
            }));
        }
        f.instruction(&I::I32Const(0));
    } else if NOTHING.contains(&name) {
        f.instruction(&I::I32Const(0));
    } else if name == "proc_exit" {
        f.instruction(&I::Unreachable);
    } else {
        f.instruction(&I::I32Const(ENOSYS));
    }
    f.instruction(&I::End);
    f
}
