//! The glue: links a world's canonical-ABI imports and exports into the pre-initialised runtime
//! module. Imports are added as core imports (shifting the module's own function indices), one
//! dispatch function reaches them from a new function-table slot, and every export becomes a small
//! function that spills its flat parameters into the runtime's argument area and calls it.

use std::borrow::Cow;

use anyhow::{Context, Result, anyhow, bail};
use componentize_py_abi::{
    ARG_SLOT_SIZE, CALL_EXPORT, EXPORT_ARGS, ExportFunction, FlatType, ImportFunction, POST_RETURN,
    RESOURCE_DTOR,
};
use wasm_encoder::{Function, Instruction as I, MemArg, ValType};

use crate::rewrite::{self, Edit, ModuleInfo, memory0};

/// What the glue links in.
pub struct Glue<'a> {
    /// The world table's imports: core names and flat signatures.
    pub imports: &'a [ImportFunction],
    /// The world table's exports: core names and flat signatures.
    pub exports: &'a [ExportFunction],
    /// Resource destructors: (core export name, resource index).
    pub dtors: &'a [(String, u32)],
}

/// Where the glue goes in the runtime, fixed before pre-initialisation: the runtime learns the
/// dispatch slot from its world table at init, and [`link`] checks the snapshot still agrees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// The function-table slot of the dispatch function: the runtime table's initial size.
    pub dispatch_slot: u32,
}

impl Layout {
    /// The layout for `runtime`.
    pub fn of(runtime: &[u8]) -> Result<Self> {
        let info = rewrite::inspect(runtime)?;
        let size = info
            .table_size
            .ok_or_else(|| anyhow!("the runtime has no function table"))?;
        Ok(Self {
            dispatch_slot: u32::try_from(size).context("table too large")?,
        })
    }
}

/// The function indices of the glue in the linked module. Runtime imports keep their indices, the
/// world's imports follow them, then the runtime's own functions (shifted), then the dispatch
/// function, a wrapper and a post-return function per export, and the destructors.
struct Indices {
    runtime_imports: u32,
    added_imports: u32,
    dispatch: u32,
}

impl Indices {
    fn new(info: &ModuleInfo, glue: &Glue<'_>) -> Self {
        let runtime_imports = info.imports.len() as u32;
        let added_imports = glue.imports.len() as u32;
        Self {
            runtime_imports,
            added_imports,
            dispatch: runtime_imports + added_imports + info.defined,
        }
    }

    /// Where a function of the snapshot moves.
    fn shift(&self, func: u32) -> u32 {
        if func < self.runtime_imports {
            func
        } else {
            func + self.added_imports
        }
    }

    fn import(&self, i: usize) -> u32 {
        self.runtime_imports + i as u32
    }

    fn wrapper(&self, export: usize) -> u32 {
        self.dispatch + 1 + 2 * export as u32
    }

    fn post_return(&self, export: usize) -> u32 {
        self.wrapper(export) + 1
    }

    fn dtor(&self, glue: &Glue<'_>, i: usize) -> u32 {
        self.wrapper(glue.exports.len()) + i as u32
    }
}

/// Links `glue` into `module` (the snapshot of the runtime `layout` was computed for), returning
/// the new module.
pub fn link(module: &[u8], layout: Layout, glue: &Glue<'_>) -> Result<Vec<u8>> {
    let info = rewrite::inspect(module)?;
    if info.table_size != Some(u64::from(layout.dispatch_slot)) {
        bail!(
            "internal error: the snapshot's function table starts with {:?} entries, the runtime's with {}",
            info.table_size,
            layout.dispatch_slot
        );
    }
    let indices = Indices::new(&info, glue);
    let runtime = RuntimeFuncs::find(&info, &indices)?;
    let type_base = info.type_params.len() as u32;
    let types = glue_types(glue);
    let bodies = glue_bodies(glue, &indices, &runtime);
    let first_body_type = type_base + glue.imports.len() as u32;
    let mut exports = Vec::new();
    for (i, export) in glue.exports.iter().enumerate() {
        exports.push((export.name.clone(), indices.wrapper(i)));
        if !export.signature.flat_results.is_empty() {
            exports.push((post_return_name(&export.name), indices.post_return(i)));
        }
    }
    for (i, (name, _)) in glue.dtors.iter().enumerate() {
        exports.push((name.clone(), indices.dtor(glue, i)));
    }
    let edit = Edit {
        map: &|func| indices.shift(func),
        drop_export: &is_internal,
        drop_names: true,
        types,
        imports: glue
            .imports
            .iter()
            .enumerate()
            .map(|(i, import)| {
                (
                    import.module.clone(),
                    import.name.clone(),
                    type_base + i as u32,
                )
            })
            .collect(),
        functions: bodies
            .into_iter()
            .enumerate()
            .map(|(i, body)| (first_body_type + i as u32, body))
            .collect(),
        exports,
        table_entries: vec![indices.dispatch],
        ..Edit::default()
    };
    rewrite::rewrite(module, &edit)
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

/// The runtime's entry points, by (shifted) function index.
struct RuntimeFuncs {
    export_args: u32,
    call_export: u32,
    post_return: u32,
    resource_dtor: u32,
}

impl RuntimeFuncs {
    fn find(info: &ModuleInfo, indices: &Indices) -> Result<Self> {
        let find = |name: &str| -> Result<u32> {
            let index = info
                .export(name)
                .map_err(|_| anyhow!("the runtime does not export `{name}`"))?;
            Ok(indices.shift(index))
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

/// The memory argument of flat value `index` in an argument area: its slot, naturally aligned.
fn slot(ty: &FlatType, index: usize) -> MemArg {
    memory0(
        u64::from(ARG_SLOT_SIZE) * index as u64,
        ty.size().trailing_zeros(),
    )
}

fn load(ty: &FlatType, index: usize) -> I<'static> {
    let arg = slot(ty, index);
    match ty {
        FlatType::I32 => I::I32Load(arg),
        FlatType::I64 => I::I64Load(arg),
        FlatType::F32 => I::F32Load(arg),
        FlatType::F64 => I::F64Load(arg),
    }
}

fn store(ty: &FlatType, index: usize) -> I<'static> {
    let arg = slot(ty, index);
    match ty {
        FlatType::I32 => I::I32Store(arg),
        FlatType::I64 => I::I64Store(arg),
        FlatType::F32 => I::F32Store(arg),
        FlatType::F64 => I::F64Store(arg),
    }
}

/// The bodies of the glue functions, in the order of [`glue_types`] after the imports.
fn glue_bodies(glue: &Glue<'_>, indices: &Indices, runtime: &RuntimeFuncs) -> Vec<Function> {
    let mut bodies = Vec::new();
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
        dispatch.instruction(&I::Call(indices.import(i)));
        if let Some(result) = import.signature.flat_results.first() {
            dispatch.instruction(&store(result, 0));
        }
        dispatch.instruction(&I::Br(count - 1 - i as u32));
    }
    dispatch.instruction(&I::End);
    dispatch.instruction(&I::End);
    bodies.push(dispatch);

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
        bodies.push(wrapper);

        let mut post = Function::new([]);
        post.instruction(&I::I32Const(e as i32));
        post.instruction(&I::Call(runtime.post_return));
        post.instruction(&I::End);
        bodies.push(post);
    }

    for (_, resource) in glue.dtors {
        let mut dtor = Function::new([]);
        dtor.instruction(&I::I32Const(*resource as i32));
        dtor.instruction(&I::LocalGet(0));
        dtor.instruction(&I::Call(runtime.resource_dtor));
        dtor.instruction(&I::End);
        bodies.push(dtor);
    }
    bodies
}
