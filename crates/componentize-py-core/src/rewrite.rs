//! Rewriting a core module's function index space: drop some function imports, append functions,
//! and send every function reference (calls, exports, elements) through an index map. Used by the
//! pre-init stat wrappers and by `--stub-wasi`.

use std::convert::Infallible;

use anyhow::{Result, anyhow};
use wasm_encoder::reencode::{Error as ReencodeError, Reencode, RoundtripReencoder};
use wasm_encoder::{
    CodeSection, ElementSection, ExportSection, Function, FunctionSection, ImportSection, Module,
    RawSection,
};
use wasmparser::{CompositeInnerType, Parser, Payload, TypeRef};

/// A function import of a module.
pub struct FuncImport {
    /// Module name.
    pub module: String,
    /// Field name.
    pub name: String,
    /// Type index.
    pub ty: u32,
}

/// What a rewrite needs to know about a module.
pub struct ModuleInfo {
    /// Function imports, in index order (the module must import nothing else).
    pub imports: Vec<FuncImport>,
    /// Number of defined functions.
    pub defined: u32,
    /// Parameter count of each type.
    pub type_params: Vec<usize>,
}

/// Reads the function imports, defined-function count and type arities of `module`.
pub fn inspect(module: &[u8]) -> Result<ModuleInfo> {
    let mut info = ModuleInfo {
        imports: Vec::new(),
        defined: 0,
        type_params: Vec::new(),
    };
    for payload in Parser::new(0).parse_all(module) {
        match payload? {
            Payload::TypeSection(reader) => {
                for group in reader {
                    for ty in group?.into_types() {
                        info.type_params.push(match ty.composite_type.inner {
                            CompositeInnerType::Func(f) => f.params().len(),
                            _ => 0,
                        });
                    }
                }
            }
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    let import = import?;
                    let TypeRef::Func(ty) = import.ty else {
                        return Err(anyhow!(
                            "unexpected non-function import `{}::{}`",
                            import.module,
                            import.name
                        ));
                    };
                    info.imports.push(FuncImport {
                        module: import.module.into(),
                        name: import.name.into(),
                        ty,
                    });
                }
            }
            Payload::FunctionSection(reader) => info.defined = reader.count(),
            _ => {}
        }
    }
    Ok(info)
}

/// Sends function references through a map.
struct Remap<'a>(&'a dyn Fn(u32) -> u32);

impl Reencode for Remap<'_> {
    type Error = Infallible;

    fn function_index(&mut self, func: u32) -> Result<u32, ReencodeError<Infallible>> {
        Ok((self.0)(func))
    }
}

fn reencode(error: ReencodeError<Infallible>) -> anyhow::Error {
    anyhow!("rewriting the module: {error}")
}

/// Rewrites `module`: function imports for which `drop` is true are removed, `appended` functions
/// (type index, body) follow the defined ones, and every function reference goes through `map`
/// (old index space → new).
pub fn rewrite(
    module: &[u8],
    drop: &dyn Fn(usize) -> bool,
    map: &dyn Fn(u32) -> u32,
    appended: &[(u32, Function)],
) -> Result<Vec<u8>> {
    let mut out = Module::new();
    let mut remap = Remap(map);
    let mut code = CodeSection::new();
    let mut bodies_left = 0u32;
    for payload in Parser::new(0).parse_all(module) {
        match payload? {
            Payload::Version { .. } | Payload::End(_) => {}
            Payload::ImportSection(reader) => {
                let mut imports = ImportSection::new();
                for (i, import) in reader.into_imports().enumerate() {
                    let import = import?;
                    if !drop(i) {
                        let ty = RoundtripReencoder
                            .entity_type(import.ty)
                            .map_err(reencode)?;
                        imports.import(import.module, import.name, ty);
                    }
                }
                out.section(&imports);
            }
            Payload::FunctionSection(reader) => {
                let mut functions = FunctionSection::new();
                remap
                    .parse_function_section(&mut functions, reader)
                    .map_err(reencode)?;
                for (ty, _) in appended {
                    functions.function(*ty);
                }
                out.section(&functions);
            }
            Payload::ExportSection(reader) => {
                let mut exports = ExportSection::new();
                remap
                    .parse_export_section(&mut exports, reader)
                    .map_err(reencode)?;
                out.section(&exports);
            }
            Payload::ElementSection(reader) => {
                let mut elements = ElementSection::new();
                remap
                    .parse_element_section(&mut elements, reader)
                    .map_err(reencode)?;
                out.section(&elements);
            }
            Payload::CodeSectionStart { count, .. } => bodies_left = count,
            Payload::CodeSectionEntry(body) => {
                remap
                    .parse_function_body(&mut code, body)
                    .map_err(reencode)?;
                bodies_left -= 1;
                if bodies_left == 0 {
                    for (_, body) in appended {
                        code.function(body);
                    }
                    out.section(&code);
                }
            }
            Payload::CustomSection(section) => {
                remap
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
