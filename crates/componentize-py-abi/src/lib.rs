//! The contract between the componentizer and the guest runtime.
//!
//! The guest runtime (`runtime.wasm`) is one core module, identical for every app and every WIT
//! world. Everything world-specific reaches it as data: at pre-initialisation the componentizer
//! hands it an [`InitConfig`], which carries a [`WorldTable`] describing every exported and imported
//! function and every type they use, with canonical-ABI layouts already computed. The runtime
//! interprets that table to lift and lower values between linear memory and Python objects, so its
//! compiled code can be cached once for all apps.
//!
//! # Pre-initialisation
//!
//! The engine instantiates the Wizer-instrumented runtime with a WASI preview1 context whose
//! filesystem holds [`INIT_CONFIG_PATH`] and the bundles that config names, with no environment
//! variables and [`INIT_ARGS`] as arguments, then calls `_initialize` and [`INIT_EXPORT`]. On
//! failure init writes the Python traceback (or the runtime's message) to stderr and traps.
//! Whatever else could differ between hosts is answered inside the module the engine runs, so the
//! snapshot is the same everywhere: the clocks read [`INIT_CLOCK_NS`] (resolution
//! [`INIT_CLOCK_RESOLUTION_NS`]), random bytes are [`INIT_RANDOM_BYTE`], and file stats keep only
//! type and size.
//!
//! # Entry points
//!
//! After the snapshot the componentizer adds glue functions to the module. The glue only moves
//! flat canonical-ABI values between its parameters/results and the runtime's argument area:
//!
//! * [`EXPORT_ARGS`] `() -> i32`: the address of the argument area, [`ARG_SLOTS`] slots of
//!   [`ARG_SLOT_SIZE`] bytes. Flat value *i* lives in slot *i*, stored with its own type
//!   (`i32.store`, `i64.store`, `f32.store`, `f64.store`) at offset `ARG_SLOT_SIZE * i`.
//! * [`CALL_EXPORT`] `(func: i32) -> i32`: calls export `func` (an index into
//!   [`WorldTable::exports`]) with the arguments in the area. It returns an address: with one flat
//!   result the glue loads it from there; with results passed indirectly it is the return pointer
//!   the glue returns as is; with none the glue ignores it.
//! * [`POST_RETURN`] `(func: i32)`: frees what the last call of `func` allocated for its results.
//! * [`RESOURCE_DTOR`] `(resource: i32, rep: i32)`: the destructor of an exported resource.
//! * `cabi_realloc`: the canonical-ABI allocator.
//!
//! The runtime calls imports through one glue function, `dispatch(func: i32, args: i32)`, which the
//! componentizer places in the function table at [`WorldTable::import_dispatch`]. `args` points at
//! an argument area laid out as above; the glue loads the flat parameters of import `func` (an
//! index into [`WorldTable::imports`]) from it, calls the import and stores a single flat result
//! into slot 0. Resource intrinsics (`[resource-new]` and friends) are imports like any other.
//!
//! Python code reaches imports through the runtime's `componentize_py_runtime` module, which the
//! generated bindings call.

#![no_std]
extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

/// Where the runtime reads its postcard-encoded [`InitConfig`] during pre-initialisation.
pub const INIT_CONFIG_PATH: &str = "/componentize-py/init.bin";
/// The guest directory that holds [`INIT_CONFIG_PATH`] and the bundles; the engine preopens it.
pub const INIT_DIR: &str = "/componentize-py";
/// The WASI arguments during pre-initialisation: fixed, so nothing of the build machine leaks.
pub const INIT_ARGS: &[&str] = &["python"];
/// The wall and monotonic clocks' reading during pre-initialisation, in nanoseconds.
pub const INIT_CLOCK_NS: u64 = 0;
/// The clocks' resolution during pre-initialisation, in nanoseconds.
pub const INIT_CLOCK_RESOLUTION_NS: u64 = 1;
/// Every random byte during pre-initialisation.
pub const INIT_RANDOM_BYTE: u8 = 0x2a;
/// The runtime's init export, called by the engine through Wizer.
pub const INIT_EXPORT: &str = "wizer-initialize";
/// Export: the address of the argument area.
pub const EXPORT_ARGS: &str = "componentize-py#export-args";
/// Export: calls an exported function by index.
pub const CALL_EXPORT: &str = "componentize-py#call-export";
/// Export: frees the results of the last call of an export.
pub const POST_RETURN: &str = "componentize-py#post-return";
/// Export: the destructor of an exported resource.
pub const RESOURCE_DTOR: &str = "componentize-py#resource-dtor";
/// Most flat parameters passed directly; more go through memory (canonical ABI).
pub const MAX_FLAT_PARAMS: usize = 16;
/// Most flat results returned directly; more go through a return pointer (canonical ABI).
pub const MAX_FLAT_RESULTS: usize = 1;
/// Slots in an argument area: the flat parameters plus an import's return pointer.
pub const ARG_SLOTS: usize = MAX_FLAT_PARAMS + 1;
/// Bytes per argument-area slot: room for the widest flat type, so the runtime keeps the area
/// as `[u64; ARG_SLOTS]`.
pub const ARG_SLOT_SIZE: u32 = 8;

/// Everything the runtime needs at pre-initialisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InitConfig {
    /// Guest paths of zip archives of Python modules, searched in this order. They are read into
    /// memory at init, so modules not imported then stay importable at run time.
    pub bundles: Vec<String>,
    /// The app module, imported at init (`None` starts Python only).
    pub app_module: Option<String>,
    /// The world the runtime serves.
    pub world: WorldTable,
}

/// A WIT world as the runtime sees it: functions, types and resources, with layouts computed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WorldTable {
    /// Defined types, referred to by [`Type::Defined`].
    pub types: Vec<TypeDef>,
    /// Resources, referred to by index from [`TypeKind::Own`], [`TypeKind::Borrow`] and targets.
    pub resources: Vec<Resource>,
    /// Classes of the app instantiated once at init with no arguments (export implementations).
    pub export_instances: Vec<PyName>,
    /// Exported functions; the glue calls them by index.
    pub exports: Vec<ExportFunction>,
    /// Imported functions; the runtime calls them by index through the dispatch glue.
    pub imports: Vec<ImportFunction>,
    /// The function-table index of the import dispatch glue (0 until the glue is linked in).
    pub import_dispatch: u32,
}

/// A Python object reached by importing `module` and walking the dotted `name`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PyName {
    /// Module to import.
    pub module: String,
    /// Attribute path inside the module, dot-separated.
    pub name: String,
}

/// A value type: a primitive or an index into [`WorldTable::types`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Type {
    /// `bool`
    Bool,
    /// `s8`
    S8,
    /// `u8`
    U8,
    /// `s16`
    S16,
    /// `u16`
    U16,
    /// `s32`
    S32,
    /// `u32`
    U32,
    /// `s64`
    S64,
    /// `u64`
    U64,
    /// `f32`
    F32,
    /// `f64`
    F64,
    /// `char`
    Char,
    /// `string`
    String,
    /// A defined type, by index.
    Defined(u32),
}

/// A core wasm value type of a flattened canonical-ABI value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FlatType {
    /// `i32`
    I32,
    /// `i64`
    I64,
    /// `f32`
    F32,
    /// `f64`
    F64,
}

impl FlatType {
    /// Size in bytes, which is also the natural alignment.
    pub const fn size(&self) -> u32 {
        match self {
            FlatType::I32 | FlatType::F32 => 4,
            FlatType::I64 | FlatType::F64 => 8,
        }
    }
}

/// The canonical-ABI layout of a type.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Layout {
    /// Size in memory, in bytes.
    pub size: u32,
    /// Alignment in memory, in bytes.
    pub align: u32,
    /// The flattened core types.
    pub flat: Vec<FlatType>,
}

/// A defined type with its layout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TypeDef {
    /// What the type is.
    pub kind: TypeKind,
    /// Its canonical-ABI layout.
    pub layout: Layout,
}

/// A field of a record, or an element of a tuple.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Field {
    /// The Python attribute name (empty for tuple elements).
    pub name: String,
    /// The field's type.
    pub ty: Type,
    /// Byte offset inside the record.
    pub offset: u32,
}

/// A case of a variant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Case {
    /// The case's Python class, with its payload (if any) in attribute `value`.
    pub class: PyName,
    /// The payload type.
    pub ty: Option<Type>,
}

/// The shape of a defined type, and how it maps to Python.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum TypeKind {
    /// A record: a dataclass built with keyword arguments.
    Record {
        /// The dataclass.
        class: PyName,
        /// The fields, in order.
        fields: Vec<Field>,
    },
    /// A tuple: a Python tuple.
    Tuple {
        /// The elements, in order.
        elements: Vec<Field>,
    },
    /// A variant: one class per case.
    Variant {
        /// The cases, by discriminant.
        cases: Vec<Case>,
        /// Offset of the payload after the discriminant.
        payload_offset: u32,
    },
    /// An enum: an `enum.Enum` whose members are in case order.
    Enum {
        /// The enum class.
        class: PyName,
        /// How many cases.
        cases: u32,
    },
    /// Flags: an `enum.Flag`; bit *i* is flag *i*.
    Flags {
        /// The flag class.
        class: PyName,
        /// How many flags.
        count: u32,
    },
    /// `option<T>`: `None` or the value, or `Some(value)` when `nested` (an option of an option).
    Option {
        /// The payload type.
        ty: Type,
        /// Offset of the payload after the discriminant.
        payload_offset: u32,
        /// Whether the value is wrapped in `componentize_py_types.Some`.
        nested: bool,
    },
    /// `result<T, E>`: `componentize_py_types.Ok(value)` or `Err(value)`.
    Result {
        /// The ok payload.
        ok: Option<Type>,
        /// The error payload.
        err: Option<Type>,
        /// Offset of the payload after the discriminant.
        payload_offset: u32,
    },
    /// `list<T>`: a Python list (of ints for a `list` of an alias of `u8` or `s8`).
    List {
        /// The element type.
        element: Type,
    },
    /// `list<u8>` or `list<s8>` with the element type written as such: Python `bytes` (an `s8`
    /// element is the byte's two's complement, so `-1` is `b'\xff'`).
    Bytes,
    /// `own<R>`.
    Own(u32),
    /// `borrow<R>`.
    Borrow(u32),
}

/// A resource type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resource {
    /// The Python class of its instances.
    pub class: PyName,
    /// Imported or exported, with the intrinsics that side calls.
    pub side: ResourceSide,
}

/// The side of the world a resource is on, and the intrinsics the runtime calls for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ResourceSide {
    /// An imported resource.
    Imported {
        /// The import index of its `[resource-drop]`.
        drop: u32,
    },
    /// An exported resource.
    Exported(ResourceIntrinsics),
}

/// The intrinsics of an exported resource, as indices into [`WorldTable::imports`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceIntrinsics {
    /// `[resource-new]`: rep → handle.
    pub new: u32,
    /// `[resource-rep]`: handle → rep.
    pub rep: u32,
    /// `[resource-drop]`: drops a handle.
    pub drop: u32,
}

/// The signature of a function, with its flattening decided.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Signature {
    /// Parameter types.
    pub params: Vec<Type>,
    /// Parameter names as Python spells them, for messages.
    pub param_names: Vec<String>,
    /// Result type, if any.
    pub result: Option<Type>,
    /// The flat core parameters (one `i32` pointer when passed indirectly; for imports with
    /// indirect results, the return pointer comes last).
    pub flat_params: Vec<FlatType>,
    /// The flat core results (one `i32` pointer when returned indirectly).
    pub flat_results: Vec<FlatType>,
    /// Whether parameters go through memory.
    pub params_indirect: bool,
    /// Whether results go through memory.
    pub results_indirect: bool,
    /// Whether the result maps to returning the ok value and raising `Err`, as in componentize-py:
    /// when the result type is a `result` (written inline, or a `type r = result<..>`), not an
    /// alias of another type that is one (`use`, or `type a = r`).
    pub result_raises: bool,
}

/// An exported function and the Python callable that implements it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportFunction {
    /// The WIT name, for messages.
    pub name: String,
    /// Its signature.
    pub signature: Signature,
    /// What to call.
    pub target: ExportTarget,
}

/// The Python callable behind an export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ExportTarget {
    /// A method of an instance from [`WorldTable::export_instances`].
    Method {
        /// The instance index.
        instance: u32,
        /// The method name.
        name: String,
    },
    /// A resource constructor: calls the resource class.
    Constructor {
        /// The resource index.
        resource: u32,
    },
    /// A resource method: the first parameter is `self`.
    ResourceMethod {
        /// The resource index.
        resource: u32,
        /// The method name.
        name: String,
    },
    /// A static resource function: a classmethod of the resource class.
    Static {
        /// The resource index.
        resource: u32,
        /// The method name.
        name: String,
    },
}

/// An imported function.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportFunction {
    /// The core module name the glue imports it from.
    pub module: String,
    /// The core field name.
    pub name: String,
    /// Its signature.
    pub signature: Signature,
}

/// Encodes an init configuration.
pub fn encode_config(config: &InitConfig) -> Vec<u8> {
    postcard::to_allocvec(config).expect("encoding to a Vec cannot fail")
}

/// Decodes an init configuration.
pub fn decode_config(bytes: &[u8]) -> Result<InitConfig, postcard::Error> {
    postcard::from_bytes(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn config_round_trips() {
        let config = InitConfig {
            bundles: vec!["/componentize-py/stdlib.zip".into()],
            app_module: Some("app".into()),
            world: WorldTable {
                types: vec![TypeDef {
                    kind: TypeKind::List { element: Type::U8 },
                    layout: Layout {
                        size: 8,
                        align: 4,
                        flat: vec![FlatType::I32, FlatType::I32],
                    },
                }],
                ..WorldTable::default()
            },
        };
        assert_eq!(decode_config(&encode_config(&config)).unwrap(), config);
    }
}
