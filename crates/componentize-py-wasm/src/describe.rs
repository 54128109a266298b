//! WIT described for JS, read with wit-parser so that JS never parses WIT itself: the worlds a
//! project's WIT offers ([`crate::worlds`]) and a built component's exports
//! ([`crate::component_exports`]), their types as plain, structured-cloneable objects.

use anyhow::{Result, bail};
use serde::Serialize;
use wit_parser::decoding::{DecodedWasm, decode};
use wit_parser::{Handle, Resolve, Type, TypeDefKind, TypeId, WorldItem, WorldKey};

/// A WIT type: `{ kind, ... }`, named types with their `name`, anonymous ones spelled out. Type
/// aliases are followed to what they name.
#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum TypeInfo {
    /// `bool`
    Bool,
    /// `s8`
    S8,
    /// `s16`
    S16,
    /// `s32`
    S32,
    /// `s64`
    S64,
    /// `u8`
    U8,
    /// `u16`
    U16,
    /// `u32`
    U32,
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
    /// `list<elem>` (and `list<elem, N>`)
    List {
        /// The element type.
        elem: Box<TypeInfo>,
    },
    /// `option<inner>`
    Option {
        /// The payload type.
        inner: Box<TypeInfo>,
    },
    /// `result<ok, err>`; absent payloads are `null`.
    Result {
        /// The ok payload.
        ok: Option<Box<TypeInfo>>,
        /// The error payload.
        err: Option<Box<TypeInfo>>,
    },
    /// `tuple<...>`
    Tuple {
        /// The member types.
        items: Vec<TypeInfo>,
    },
    /// A record.
    Record {
        /// The record's name.
        name: String,
        /// Its fields, in order.
        fields: Vec<Named>,
    },
    /// A variant.
    Variant {
        /// The variant's name.
        name: String,
        /// Its cases; a case without payload has type `null`.
        cases: Vec<Case>,
    },
    /// An enum.
    Enum {
        /// The enum's name.
        name: String,
        /// Its cases.
        cases: Vec<String>,
    },
    /// A flags type.
    Flags {
        /// The type's name.
        name: String,
        /// Its flags.
        flags: Vec<String>,
    },
    /// A resource named directly.
    Resource {
        /// The resource's name.
        name: String,
    },
    /// An owned handle.
    Own {
        /// The resource's name.
        name: String,
    },
    /// A borrowed handle.
    Borrow {
        /// The resource's name.
        name: String,
    },
    /// A type JS callers cannot enter (`future`, `stream`, `error-context`, maps).
    Unsupported {
        /// How WIT spells its kind.
        name: String,
    },
}

/// A record field or a function parameter.
#[derive(Debug, Serialize)]
pub struct Named {
    /// Its name.
    pub name: String,
    /// Its type.
    #[serde(rename = "type")]
    pub ty: TypeInfo,
}

/// A variant case.
#[derive(Debug, Serialize)]
pub struct Case {
    /// Its name.
    pub name: String,
    /// Its payload, or `null`.
    #[serde(rename = "type")]
    pub ty: Option<TypeInfo>,
}

/// A function a component exports at the world level.
#[derive(Debug, Serialize)]
pub struct FunctionInfo {
    /// Its WIT name.
    pub name: String,
    /// Its parameters.
    pub params: Vec<Named>,
    /// Its result, or `null`.
    pub result: Option<TypeInfo>,
}

/// What a component exports.
#[derive(Debug, Serialize)]
pub struct Exports {
    /// World-level functions.
    pub functions: Vec<FunctionInfo>,
    /// Exported interfaces, by their full names (`wasi:cli/run@0.2.0`).
    pub interfaces: Vec<String>,
}

/// The exports of the component `bytes`.
pub fn exports(bytes: &[u8]) -> Result<Exports> {
    let DecodedWasm::Component(resolve, world) = decode(bytes)? else {
        bail!("not a component");
    };
    let mut exports = Exports {
        functions: Vec::new(),
        interfaces: Vec::new(),
    };
    for (key, item) in &resolve.worlds[world].exports {
        match item {
            WorldItem::Function(function) => exports.functions.push(FunctionInfo {
                name: function.name.clone(),
                params: function
                    .params
                    .iter()
                    .map(|param| Named {
                        name: param.name.clone(),
                        ty: describe(&resolve, param.ty),
                    })
                    .collect(),
                result: function.result.map(|ty| describe(&resolve, ty)),
            }),
            WorldItem::Interface { id, .. } => exports.interfaces.push(match key {
                WorldKey::Name(name) => name.clone(),
                WorldKey::Interface(_) => resolve.id_of(*id).unwrap_or_default(),
            }),
            WorldItem::Type { .. } => {}
        }
    }
    Ok(exports)
}

/// `ty` as JS sees it.
pub fn describe(resolve: &Resolve, ty: Type) -> TypeInfo {
    let boxed = |ty: Type| Box::new(describe(resolve, ty));
    match ty {
        Type::Bool => TypeInfo::Bool,
        Type::S8 => TypeInfo::S8,
        Type::S16 => TypeInfo::S16,
        Type::S32 => TypeInfo::S32,
        Type::S64 => TypeInfo::S64,
        Type::U8 => TypeInfo::U8,
        Type::U16 => TypeInfo::U16,
        Type::U32 => TypeInfo::U32,
        Type::U64 => TypeInfo::U64,
        Type::F32 => TypeInfo::F32,
        Type::F64 => TypeInfo::F64,
        Type::Char => TypeInfo::Char,
        Type::String => TypeInfo::String,
        Type::ErrorContext => TypeInfo::Unsupported {
            name: "error-context".into(),
        },
        Type::Id(id) => {
            let def = &resolve.types[id];
            let name = || def.name.clone().unwrap_or_default();
            match &def.kind {
                TypeDefKind::Type(target) => describe(resolve, *target),
                TypeDefKind::List(elem) | TypeDefKind::FixedLengthList(elem, _) => {
                    TypeInfo::List { elem: boxed(*elem) }
                }
                TypeDefKind::Option(inner) => TypeInfo::Option {
                    inner: boxed(*inner),
                },
                TypeDefKind::Result(result) => TypeInfo::Result {
                    ok: result.ok.map(boxed),
                    err: result.err.map(boxed),
                },
                TypeDefKind::Tuple(tuple) => TypeInfo::Tuple {
                    items: tuple.types.iter().map(|t| describe(resolve, *t)).collect(),
                },
                TypeDefKind::Record(record) => TypeInfo::Record {
                    name: name(),
                    fields: record
                        .fields
                        .iter()
                        .map(|field| Named {
                            name: field.name.clone(),
                            ty: describe(resolve, field.ty),
                        })
                        .collect(),
                },
                TypeDefKind::Variant(variant) => TypeInfo::Variant {
                    name: name(),
                    cases: variant
                        .cases
                        .iter()
                        .map(|case| Case {
                            name: case.name.clone(),
                            ty: case.ty.map(|t| describe(resolve, t)),
                        })
                        .collect(),
                },
                TypeDefKind::Enum(e) => TypeInfo::Enum {
                    name: name(),
                    cases: e.cases.iter().map(|case| case.name.clone()).collect(),
                },
                TypeDefKind::Flags(flags) => TypeInfo::Flags {
                    name: name(),
                    flags: flags.flags.iter().map(|flag| flag.name.clone()).collect(),
                },
                TypeDefKind::Resource => TypeInfo::Resource { name: name() },
                TypeDefKind::Handle(Handle::Own(resource)) => TypeInfo::Own {
                    name: resource_name(resolve, *resource),
                },
                TypeDefKind::Handle(Handle::Borrow(resource)) => TypeInfo::Borrow {
                    name: resource_name(resolve, *resource),
                },
                TypeDefKind::Future(_) => TypeInfo::Unsupported {
                    name: "future".into(),
                },
                TypeDefKind::Stream(_) => TypeInfo::Unsupported {
                    name: "stream".into(),
                },
                TypeDefKind::Map(..) | TypeDefKind::Unknown => {
                    TypeInfo::Unsupported { name: "map".into() }
                }
            }
        }
    }
}

/// The name of the resource `id` names, through aliases.
fn resource_name(resolve: &Resolve, mut id: TypeId) -> String {
    while let TypeDefKind::Type(Type::Id(target)) = resolve.types[id].kind {
        id = target;
    }
    resolve.types[id].name.clone().unwrap_or_default()
}
