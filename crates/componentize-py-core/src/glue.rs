//! The glue: links a world's canonical-ABI imports and exports into the pre-initialised runtime
//! module. Imports are added as core imports (shifting the module's own function indices), one
//! dispatch function reaches them from a new function-table slot, and every export becomes a small
//! function that spills its flat parameters into the runtime's argument area and calls it.

use std::borrow::Cow;
use std::convert::Infallible;

use anyhow::{Context, Result, anyhow, bail};
use componentize_py_abi::{
    CALL_EXPORT, EXPORT_ARGS, ExportFunction, FlatType, ImportFunction, POST_RETURN, RESOURCE_DTOR,
};
use wasm_encoder::reencode::{Error as ReencodeError, Reencode, RoundtripReencoder};
use wasm_encoder::{
    CodeSection, ConstExpr, ElementSection, Elements, EntityType, ExportKind, ExportSection,
    Function, FunctionSection, ImportSection, Instruction as I, MemArg, MemArgTarget, Module,
    TableSection, TableType, TypeSection, ValType,
};
use wasmparser::{Parser, Payload};

/// What the glue links in.
pub struct Glue<'a> {
    /// The world table's imports: core names and flat signatures.
    pub imports: &'a [ImportFunction],
    /// The world table's exports: core names and flat signatures.
    pub exports: &'a [ExportFunction],
    /// Resource destructors: (core export name, resource index).
    pub dtors: &'a [(String, u32)],
}

/// The function-table slot the dispatch function will take in `runtime`: the table's current size.
pub fn dispatch_slot(runtime: &[u8]) -> Result<u32> {
    for payload in Parser::new(0).parse_all(runtime) {
        if let Payload::TableSection(tables) = payload? {
            let table = tables
                .into_iter()
                .next()
                .ok_or_else(|| anyhow!("the runtime has no table"))??;
            return u32::try_from(table.ty.initial).context("table too large");
        }
    }
    bail!("the runtime has no function table")
}

/// Shifts the module's own function indices past the added imports.
struct Shift {
    imports: u32,
    added: u32,
}

impl Reencode for Shift {
    type Error = Infallible;

    fn function_index(&mut self, func: u32) -> Result<u32, ReencodeError<Infallible>> {
        Ok(if func < self.imports {
            func
        } else {
            func + self.added
        })
    }
}

/// Links `glue` into `module` (the snapshot of the runtime), returning the new module.
pub fn link(module: &[u8], glue: &Glue<'_>) -> Result<Vec<u8>> {
    let mut out = Module::new();
    let mut shift = Shift {
        imports: 0,
        added: glue.imports.len() as u32,
    };
    let mut type_base = 0;
    let mut defined = 0u32;
    let mut runtime_exports = Vec::new();
    let mut table_size = None;
    let mut code = CodeSection::new();
    let mut bodies_left = 0u32;
    let glue_types = glue_types(glue);
    let added = glue.imports.len() as u32;

    let mut had_elements = false;
    let mut pending_elements = false;
    for payload in Parser::new(0).parse_all(module) {
        let payload = payload?;
        // The element section follows exports; emit ours there, or before code if there was none.
        if pending_elements && !matches!(payload, Payload::ElementSection(_)) {
            pending_elements = false;
            if !had_elements {
                out.section(dispatch_elements(
                    table_size,
                    shift.imports,
                    added,
                    defined,
                    &mut ElementSection::new(),
                )?);
            }
        }
        match payload {
            Payload::Version { .. } | Payload::End(_) => {}
            Payload::TypeSection(reader) => {
                type_base = reader.count();
                let mut types = TypeSection::new();
                shift
                    .parse_type_section(&mut types, reader)
                    .map_err(reencode)?;
                for (params, results) in &glue_types {
                    types
                        .ty()
                        .function(params.iter().copied(), results.iter().copied());
                }
                out.section(&types);
            }
            Payload::ImportSection(reader) => {
                let mut imports = ImportSection::new();
                for import in reader.into_imports() {
                    let import = import?;
                    if !matches!(import.ty, wasmparser::TypeRef::Func(_)) {
                        bail!(
                            "the runtime imports a non-function `{}::{}`",
                            import.module,
                            import.name
                        );
                    }
                    shift.imports += 1;
                    let ty = RoundtripReencoder
                        .entity_type(import.ty)
                        .map_err(reencode)?;
                    imports.import(import.module, import.name, ty);
                }
                for (i, import) in glue.imports.iter().enumerate() {
                    imports.import(
                        &import.module,
                        &import.name,
                        EntityType::Function(type_base + i as u32),
                    );
                }
                out.section(&imports);
            }
            Payload::FunctionSection(reader) => {
                defined = reader.count();
                let mut functions = FunctionSection::new();
                shift
                    .parse_function_section(&mut functions, reader)
                    .map_err(reencode)?;
                for i in glue.imports.len()..glue_types.len() {
                    functions.function(type_base + i as u32);
                }
                out.section(&functions);
            }
            Payload::TableSection(reader) => {
                let mut tables = TableSection::new();
                for (i, table) in reader.into_iter().enumerate() {
                    let table = table?;
                    let mut ty = RoundtripReencoder.table_type(table.ty).map_err(reencode)?;
                    if i == 0 {
                        table_size = Some(ty.minimum);
                        ty = TableType {
                            minimum: ty.minimum + 1,
                            maximum: ty.maximum.map(|m| m.max(ty.minimum + 1)),
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
                    if matches!(export.kind, wasmparser::ExternalKind::Func) {
                        runtime_exports.push((export.name.to_string(), export.index));
                    }
                    if is_internal(export.name) {
                        continue;
                    }
                    let kind = RoundtripReencoder
                        .export_kind(export.kind)
                        .map_err(reencode)?;
                    let index = match kind {
                        ExportKind::Func => shift.function_index(export.index).map_err(reencode)?,
                        _ => export.index,
                    };
                    exports.export(export.name, kind, index);
                }
                let first_glue = shift.imports + added + defined + 1;
                for (i, export) in glue.exports.iter().enumerate() {
                    let index = first_glue + 2 * i as u32;
                    exports.export(&export.name, ExportKind::Func, index);
                    if !export.signature.flat_results.is_empty() {
                        exports.export(
                            &post_return_name(&export.name),
                            ExportKind::Func,
                            index + 1,
                        );
                    }
                }
                let first_dtor = first_glue + 2 * glue.exports.len() as u32;
                for (i, (name, _)) in glue.dtors.iter().enumerate() {
                    exports.export(name, ExportKind::Func, first_dtor + i as u32);
                }
                out.section(&exports);
                pending_elements = true;
            }
            Payload::ElementSection(reader) => {
                had_elements = true;
                let mut elements = ElementSection::new();
                shift
                    .parse_element_section(&mut elements, reader)
                    .map_err(reencode)?;
                out.section(dispatch_elements(
                    table_size,
                    shift.imports,
                    added,
                    defined,
                    &mut elements,
                )?);
            }
            Payload::CodeSectionStart { count, .. } => bodies_left = count,
            Payload::CodeSectionEntry(body) => {
                shift
                    .parse_function_body(&mut code, body)
                    .map_err(reencode)?;
                bodies_left -= 1;
                if bodies_left == 0 {
                    let runtime = RuntimeFuncs::find(&runtime_exports, &mut shift)?;
                    emit_glue(&mut code, glue, shift.imports, &runtime);
                    out.section(&code);
                }
            }
            Payload::CustomSection(section) => {
                // Function names would no longer match their indices.
                if section.name() != "name" {
                    shift
                        .parse_custom_section(&mut out, section)
                        .map_err(reencode)?;
                }
            }
            Payload::DataCountSection { count, .. } => {
                out.section(&wasm_encoder::DataCountSection { count });
            }
            other => {
                if let Some((id, range)) = other.as_section() {
                    out.section(&wasm_encoder::RawSection {
                        id,
                        data: &module[range.start as usize..range.end as usize],
                    });
                }
            }
        }
    }
    Ok(out.finish())
}

/// Adds the element segment that puts the dispatch function in its table slot.
fn dispatch_elements(
    table_size: Option<u64>,
    imports: u32,
    added: u32,
    defined: u32,
    elements: &mut ElementSection,
) -> Result<&ElementSection> {
    let slot = table_size.ok_or_else(|| anyhow!("the runtime has no function table"))?;
    let dispatch = imports + added + defined;
    let offset = ConstExpr::i32_const(i32::try_from(slot).context("table too large")?);
    elements.active(
        Some(0),
        &offset,
        Elements::Functions(Cow::Owned(vec![dispatch])),
    );
    Ok(elements)
}

/// The canonical ABI's name for the post-return function of export `name`.
fn post_return_name(name: &str) -> String {
    format!("cabi_post_{name}")
}

fn is_internal(name: &str) -> bool {
    name.starts_with("componentize-py#")
        || name.starts_with("PyInit_")
        || name == "wizer-initialize"
}

fn reencode(error: ReencodeError<Infallible>) -> anyhow::Error {
    anyhow!("re-encoding the runtime: {error}")
}

/// The runtime's entry points, by (shifted) function index.
struct RuntimeFuncs {
    export_args: u32,
    call_export: u32,
    post_return: u32,
    resource_dtor: u32,
}

impl RuntimeFuncs {
    fn find(exports: &[(String, u32)], shift: &mut Shift) -> Result<Self> {
        let mut find = |name: &str| -> Result<u32> {
            let index = exports
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, i)| *i)
                .ok_or_else(|| anyhow!("the runtime does not export `{name}`"))?;
            shift.function_index(index).map_err(reencode)
        };
        Ok(Self {
            export_args: find(EXPORT_ARGS)?,
            call_export: find(CALL_EXPORT)?,
            post_return: find(POST_RETURN)?,
            resource_dtor: find(RESOURCE_DTOR)?,
        })
    }
}

fn val(ty: &FlatType) -> ValType {
    match ty {
        FlatType::I32 => ValType::I32,
        FlatType::I64 => ValType::I64,
        FlatType::F32 => ValType::F32,
        FlatType::F64 => ValType::F64,
    }
}

/// Function types, in order: the imports, the dispatch function, then per export the wrapper and
/// its post-return, then the destructors. Glue functions follow the same order.
fn glue_types(glue: &Glue<'_>) -> Vec<(Vec<ValType>, Vec<ValType>)> {
    let mut types: Vec<(Vec<ValType>, Vec<ValType>)> = glue
        .imports
        .iter()
        .map(|i| {
            (
                i.signature.flat_params.iter().map(val).collect(),
                i.signature.flat_results.iter().map(val).collect(),
            )
        })
        .collect();
    types.push((vec![ValType::I32, ValType::I32], vec![]));
    for export in glue.exports {
        let results: Vec<ValType> = export.signature.flat_results.iter().map(val).collect();
        types.push((
            export.signature.flat_params.iter().map(val).collect(),
            results.clone(),
        ));
        types.push((results, vec![]));
    }
    for _ in glue.dtors {
        types.push((vec![ValType::I32], vec![]));
    }
    types
}

fn slot(index: usize, align: u32) -> MemArg {
    MemArg {
        offset: 8 * index as u64,
        align,
        target: MemArgTarget::Memory(0),
        ordering: None,
    }
}

fn load(ty: &FlatType, index: usize) -> I<'static> {
    match ty {
        FlatType::I32 => I::I32Load(slot(index, 2)),
        FlatType::I64 => I::I64Load(slot(index, 3)),
        FlatType::F32 => I::F32Load(slot(index, 2)),
        FlatType::F64 => I::F64Load(slot(index, 3)),
    }
}

fn store(ty: &FlatType, index: usize) -> I<'static> {
    match ty {
        FlatType::I32 => I::I32Store(slot(index, 2)),
        FlatType::I64 => I::I64Store(slot(index, 3)),
        FlatType::F32 => I::F32Store(slot(index, 2)),
        FlatType::F64 => I::F64Store(slot(index, 3)),
    }
}

/// Emits the bodies of the glue functions, in the order of [`glue_types`] after the imports.
fn emit_glue(code: &mut CodeSection, glue: &Glue<'_>, first_import: u32, runtime: &RuntimeFuncs) {
    // dispatch(index, args): a br_table over the imports; each case loads the flat parameters
    // from the argument area, calls the import and stores its single flat result in slot 0.
    let mut dispatch = Function::new([]);
    let count = glue.imports.len() as u32;
    dispatch.instruction(&I::Block(wasm_encoder::BlockType::Empty));
    for _ in 0..count {
        dispatch.instruction(&I::Block(wasm_encoder::BlockType::Empty));
    }
    dispatch.instruction(&I::LocalGet(0));
    let targets: Vec<u32> = (0..count).collect();
    dispatch.instruction(&I::BrTable(Cow::Owned(targets), count));
    for (i, import) in glue.imports.iter().enumerate() {
        dispatch.instruction(&I::End);
        if !import.signature.flat_results.is_empty() {
            dispatch.instruction(&I::LocalGet(1));
        }
        for (j, param) in import.signature.flat_params.iter().enumerate() {
            dispatch.instruction(&I::LocalGet(1));
            dispatch.instruction(&load(param, j));
        }
        dispatch.instruction(&I::Call(first_import + i as u32));
        if let Some(result) = import.signature.flat_results.first() {
            dispatch.instruction(&store(result, 0));
        }
        dispatch.instruction(&I::Br(count - 1 - i as u32));
    }
    dispatch.instruction(&I::End);
    dispatch.instruction(&I::End);
    code.function(&dispatch);

    for (e, export) in glue.exports.iter().enumerate() {
        // The wrapper: spill parameters into the area, call, load a direct result.
        let area = export.signature.flat_params.len() as u32;
        let mut wrapper = Function::new([(1, ValType::I32)]);
        wrapper.instruction(&I::Call(runtime.export_args));
        wrapper.instruction(&I::LocalSet(area));
        for (j, param) in export.signature.flat_params.iter().enumerate() {
            wrapper.instruction(&I::LocalGet(area));
            wrapper.instruction(&I::LocalGet(j as u32));
            wrapper.instruction(&store(param, j));
        }
        wrapper.instruction(&I::I32Const(e as i32));
        wrapper.instruction(&I::Call(runtime.call_export));
        match export.signature.flat_results.first() {
            None => {
                wrapper.instruction(&I::Drop);
            }
            Some(result) if !export.signature.results_indirect => {
                wrapper.instruction(&load(result, 0));
            }
            Some(_) => {}
        }
        wrapper.instruction(&I::End);
        code.function(&wrapper);

        let mut post = Function::new([]);
        post.instruction(&I::I32Const(e as i32));
        post.instruction(&I::Call(runtime.post_return));
        post.instruction(&I::End);
        code.function(&post);
    }

    for (_, resource) in glue.dtors {
        let mut dtor = Function::new([]);
        dtor.instruction(&I::I32Const(*resource as i32));
        dtor.instruction(&I::LocalGet(0));
        dtor.instruction(&I::Call(runtime.resource_dtor));
        dtor.instruction(&I::End);
        code.function(&dtor);
    }
}
