//! The one core-module re-encoder: reads what a module holds ([`inspect`]) and writes it back with
//! an [`Edit`] applied (function imports dropped or added, types, functions, exports and table
//! entries appended, every function reference sent through an index map). The pre-init stat
//! wrappers, `--stub-wasi` and the glue are all edits.

use std::borrow::Cow;
use std::convert::Infallible;

use anyhow::{Context, Result, anyhow};
use wasm_encoder::reencode::{Error as ReencodeError, Reencode, RoundtripReencoder};
use wasm_encoder::{
    CodeSection, ConstExpr, ElementSection, Elements, EntityType, ExportKind, ExportSection,
    Function, FunctionSection, ImportSection, MemArg, MemArgTarget, Module, RawSection,
    TableSection, TableType, TypeSection, ValType,
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

/// What an edit needs to know about a module.
pub struct ModuleInfo {
    /// Parameter count of each type, in type-index order.
    pub type_params: Vec<usize>,
    /// Function imports, in index order (the module must import nothing else).
    pub imports: Vec<FuncImport>,
    /// Number of defined functions.
    pub defined: u32,
    /// Initial size of the first table, if there is one.
    pub table_size: Option<u64>,
    /// Exported functions: (name, function index).
    pub func_exports: Vec<(String, u32)>,
}

impl ModuleInfo {
    /// The index of the function exported as `name`.
    pub fn export(&self, name: &str) -> Result<u32> {
        self.func_exports
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, i)| *i)
            .ok_or_else(|| anyhow!("the module does not export `{name}`"))
    }
}

/// Reads the types, function imports, defined functions, table and exports of `module`.
pub fn inspect(module: &[u8]) -> Result<ModuleInfo> {
    let mut info = ModuleInfo {
        type_params: Vec::new(),
        imports: Vec::new(),
        defined: 0,
        table_size: None,
        func_exports: Vec::new(),
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
            Payload::TableSection(reader) => {
                if let Some(table) = reader.into_iter().next() {
                    info.table_size = Some(table?.ty.initial);
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export?;
                    if matches!(export.kind, wasmparser::ExternalKind::Func) {
                        info.func_exports
                            .push((export.name.to_string(), export.index));
                    }
                }
            }
            _ => {}
        }
    }
    Ok(info)
}

/// A change to a module. Indices in the added parts are in the new index space.
pub struct Edit<'a> {
    /// Function imports (by index) to remove.
    pub drop_import: &'a dyn Fn(usize) -> bool,
    /// Every function reference of the module goes through this map (old index → new).
    pub map: &'a dyn Fn(u32) -> u32,
    /// Exports (by name) to remove.
    pub drop_export: &'a dyn Fn(&str) -> bool,
    /// Whether to drop the `name` section (when function indices change, names would be wrong).
    pub drop_names: bool,
    /// Function types appended to the type section: (params, results).
    pub types: Vec<(Vec<ValType>, Vec<ValType>)>,
    /// Function imports appended after the kept ones: (module, name, type index).
    pub imports: Vec<(String, String, u32)>,
    /// Functions appended after the defined ones: (type index, body).
    pub functions: Vec<(u32, Function)>,
    /// Function exports appended: (name, function index).
    pub exports: Vec<(String, u32)>,
    /// Functions appended to the first table, which grows by as many entries.
    pub table_entries: Vec<u32>,
}

impl Default for Edit<'_> {
    fn default() -> Self {
        Self {
            drop_import: &|_| false,
            map: &|func| func,
            drop_export: &|_| false,
            drop_names: false,
            types: Vec::new(),
            imports: Vec::new(),
            functions: Vec::new(),
            exports: Vec::new(),
            table_entries: Vec::new(),
        }
    }
}

/// Sends function references through the edit's map.
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

/// Returns `module` with `edit` applied.
pub fn rewrite(module: &[u8], edit: &Edit<'_>) -> Result<Vec<u8>> {
    let mut out = Module::new();
    let mut remap = Remap(edit.map);
    let mut code = CodeSection::new();
    let mut bodies_left = 0u32;
    let mut table_start = None;
    let mut elements_written = edit.table_entries.is_empty();
    for payload in Parser::new(0).parse_all(module) {
        let payload = payload?;
        // Table entries need an element segment; a module without one gets it before the first
        // section that follows elements.
        if !elements_written
            && matches!(
                payload,
                Payload::DataCountSection { .. }
                    | Payload::CodeSectionStart { .. }
                    | Payload::DataSection(_)
            )
        {
            out.section(&table_segment(table_start, edit, ElementSection::new())?);
            elements_written = true;
        }
        match payload {
            Payload::Version { .. } => {}
            Payload::End(_) => {
                if !elements_written {
                    out.section(&table_segment(table_start, edit, ElementSection::new())?);
                    elements_written = true;
                }
            }
            Payload::TypeSection(reader) => {
                let mut types = TypeSection::new();
                remap
                    .parse_type_section(&mut types, reader)
                    .map_err(reencode)?;
                for (params, results) in &edit.types {
                    types
                        .ty()
                        .function(params.iter().copied(), results.iter().copied());
                }
                out.section(&types);
            }
            Payload::ImportSection(reader) => {
                let mut imports = ImportSection::new();
                for (i, import) in reader.into_imports().enumerate() {
                    let import = import?;
                    if !(edit.drop_import)(i) {
                        let ty = RoundtripReencoder
                            .entity_type(import.ty)
                            .map_err(reencode)?;
                        imports.import(import.module, import.name, ty);
                    }
                }
                for (module, name, ty) in &edit.imports {
                    imports.import(module, name, EntityType::Function(*ty));
                }
                out.section(&imports);
            }
            Payload::FunctionSection(reader) => {
                let mut functions = FunctionSection::new();
                remap
                    .parse_function_section(&mut functions, reader)
                    .map_err(reencode)?;
                for (ty, _) in &edit.functions {
                    functions.function(*ty);
                }
                out.section(&functions);
            }
            Payload::TableSection(reader) => {
                let mut tables = TableSection::new();
                for (i, table) in reader.into_iter().enumerate() {
                    let mut ty = RoundtripReencoder.table_type(table?.ty).map_err(reencode)?;
                    if i == 0 && !edit.table_entries.is_empty() {
                        table_start = Some(ty.minimum);
                        let minimum = ty.minimum + edit.table_entries.len() as u64;
                        ty = TableType {
                            minimum,
                            maximum: ty.maximum.map(|m| m.max(minimum)),
                            ..ty
                        };
                    }
                    tables.table(ty);
                }
                out.section(&tables);
            }
            Payload::ExportSection(reader) => {
                let mut exports = ExportSection::new();
                for export in reader {
                    let export = export?;
                    if (edit.drop_export)(export.name) {
                        continue;
                    }
                    let kind = RoundtripReencoder
                        .export_kind(export.kind)
                        .map_err(reencode)?;
                    let index = match kind {
                        ExportKind::Func => (edit.map)(export.index),
                        _ => export.index,
                    };
                    exports.export(export.name, kind, index);
                }
                for (name, func) in &edit.exports {
                    exports.export(name, ExportKind::Func, *func);
                }
                out.section(&exports);
            }
            Payload::ElementSection(reader) => {
                let mut elements = ElementSection::new();
                remap
                    .parse_element_section(&mut elements, reader)
                    .map_err(reencode)?;
                if !elements_written {
                    elements = table_segment(table_start, edit, elements)?;
                    elements_written = true;
                }
                out.section(&elements);
            }
            Payload::CodeSectionStart { count, .. } => bodies_left = count,
            Payload::CodeSectionEntry(body) => {
                remap
                    .parse_function_body(&mut code, body)
                    .map_err(reencode)?;
                bodies_left -= 1;
                if bodies_left == 0 {
                    for (_, body) in &edit.functions {
                        code.function(body);
                    }
                    out.section(&code);
                }
            }
            Payload::CustomSection(section) => {
                if !(edit.drop_names && section.name() == "name") {
                    remap
                        .parse_custom_section(&mut out, section)
                        .map_err(reencode)?;
                }
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

/// Appends to `elements` the active segment that puts the edit's table entries at the first
/// table's old end.
fn table_segment(
    table_start: Option<u64>,
    edit: &Edit<'_>,
    mut elements: ElementSection,
) -> Result<ElementSection> {
    let start = table_start.ok_or_else(|| anyhow!("the module has no function table"))?;
    let offset = ConstExpr::i32_const(i32::try_from(start).context("table too large")?);
    elements.active(
        Some(0),
        &offset,
        Elements::Functions(Cow::Borrowed(&edit.table_entries)),
    );
    Ok(elements)
}

/// Function imports turned into defined functions: their bodies, and where every function of
/// the module moves. The new functions follow the module's own, in import order; the kept imports
/// and the defined functions move down.
pub struct Localized {
    replaced: Vec<bool>,
    first_local: u32,
    /// The new functions: (type index, body).
    pub functions: Vec<(u32, Function)>,
}

impl Localized {
    /// Replaces each import of `info` for which `local` (given the import and its parameter
    /// count) gives a body.
    pub fn new(info: &ModuleInfo, local: &dyn Fn(&FuncImport, usize) -> Option<Function>) -> Self {
        let mut replaced = Vec::new();
        let mut functions = Vec::new();
        for import in &info.imports {
            let body = local(import, info.type_params[import.ty as usize]);
            replaced.push(body.is_some());
            if let Some(body) = body {
                functions.push((import.ty, body));
            }
        }
        let kept = (replaced.len() - functions.len()) as u32;
        Self {
            first_local: kept + info.defined,
            replaced,
            functions,
        }
    }

    /// Whether import `i` is replaced (and so dropped).
    pub fn is_replaced(&self, i: usize) -> bool {
        self.replaced[i]
    }

    /// The new index of function `func`.
    pub fn map(&self, func: u32) -> u32 {
        let before = |end: usize| self.replaced[..end].iter().filter(|r| **r).count() as u32;
        match self.replaced.get(func as usize) {
            Some(true) => self.first_local + before(func as usize),
            Some(false) => func - before(func as usize),
            None => func - self.functions.len() as u32,
        }
    }

    /// The index of the first function appended after the new ones.
    pub fn end(&self) -> u32 {
        self.first_local + self.functions.len() as u32
    }
}

/// Returns `module` with each function import for which `local` gives a body replaced by a
/// defined function with that body (see [`Localized`]).
pub fn replace_imports(
    module: &[u8],
    local: &dyn Fn(&FuncImport, usize) -> Option<Function>,
) -> Result<Vec<u8>> {
    let localized = Localized::new(&inspect(module)?, local);
    let edit = Edit {
        drop_import: &|i| localized.is_replaced(i),
        map: &|func| localized.map(func),
        functions: localized.functions.clone(),
        ..Edit::default()
    };
    rewrite(module, &edit)
}

/// A memory argument for memory 0: `offset` bytes on, `align` as log2 of the alignment.
pub fn memory0(offset: u64, align: u32) -> MemArg {
    MemArg {
        offset,
        align,
        target: MemArgTarget::Memory(0),
        ordering: None,
    }
}
