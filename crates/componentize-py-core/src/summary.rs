//! The world summary: one walk over a WIT world (its interfaces named by [`crate::naming`]) that
//! computes canonical-ABI layouts and produces the runtime's [`WorldTable`] together with the core
//! names and signatures the glue needs; [`crate::python`] builds the bindings' model from it.

use std::collections::HashMap;

use anyhow::{Result, bail};
use componentize_py_abi::{
    self as abi, Case, ExportFunction, ExportTarget, Field, FlatType, ImportFunction, Layout,
    PyName, Resource, ResourceIntrinsics, ResourceSide, Signature, TypeDef, TypeKind, WorldTable,
};
use wit_parser::abi::{AbiVariant, FlatTypes, WasmType};
use wit_parser::{
    Function, FunctionKind, Handle, Int, InterfaceId, LiftLowerAbi, ManglingAndAbi, Resolve,
    ResourceIntrinsic, SizeAlign, Type, TypeDefKind, TypeId, TypeOwner, WasmExport, WasmExportKind,
    WasmImport, WorldId, WorldItem, WorldKey,
};

use crate::names;
use crate::naming::{self, Direction, InterfaceInfo, Naming};

const MANGLING: ManglingAndAbi = ManglingAndAbi::Legacy(LiftLowerAbi::Sync);

/// The world, summarised.
pub struct Summary<'a> {
    /// The resolved WIT.
    pub resolve: &'a Resolve,
    /// The world.
    pub world: WorldId,
    /// Naming settings.
    pub naming: Naming,
    /// The world's interfaces with their module names.
    pub interfaces: Vec<InterfaceInfo>,
    /// The table the runtime interprets (`import_dispatch` left 0 for the caller to fill); its
    /// functions carry the core names and flat signatures the glue needs.
    pub table: WorldTable,
    /// Exported resource destructors: (core export name, resource index).
    pub dtors: Vec<(String, u32)>,
    /// Import index of each imported function, by (interface, WIT function name).
    pub import_indices: HashMap<(Option<InterfaceId>, String), u32>,
    sizes: SizeAlign,
    /// Table indices of defined types, per side: a handle's resource depends on the side.
    type_indices: HashMap<(TypeId, Direction), u32>,
    /// The side of the function whose signature is being built.
    side: Direction,
    resource_indices: HashMap<(TypeId, Direction), u32>,
}

impl<'a> Summary<'a> {
    /// Summarises `world`.
    pub fn new(resolve: &'a Resolve, world: WorldId, naming: Naming) -> Result<Self> {
        let mut sizes = SizeAlign::default();
        sizes.fill(resolve)?;
        let interfaces = naming::interfaces(resolve, world, &naming);
        let mut summary = Self {
            resolve,
            world,
            naming,
            interfaces,
            table: WorldTable::default(),
            dtors: Vec::new(),
            import_indices: HashMap::new(),
            sizes,
            type_indices: HashMap::new(),
            side: Direction::Import,
            resource_indices: HashMap::new(),
        };
        summary.walk()?;
        Ok(summary)
    }

    /// The interface info of an interface on one side of the world.
    pub fn interface(&self, id: InterfaceId, direction: Direction) -> Option<&InterfaceInfo> {
        self.interfaces
            .iter()
            .find(|i| i.id == id && i.direction == direction)
    }

    /// The protocol of world-level exports, and the app class implementing it: the world module's
    /// name in CamelCase (`WitWorld` for `wit_world`).
    pub fn world_class(&self) -> String {
        names::camel(&self.naming.world_module)
    }

    /// The Python module that defines the bindings of an interface, or of the world (`None`).
    pub fn bindings_module(&self, interface: Option<&InterfaceInfo>) -> String {
        let world = &self.naming.world_module;
        match interface {
            None => world.clone(),
            Some(i) => match i.direction {
                Direction::Import => format!("{world}.imports.{}", i.module),
                Direction::Export => format!("{world}.exports.{}", i.module),
            },
        }
    }

    fn walk(&mut self) -> Result<()> {
        let world = &self.resolve.worlds[self.world];
        let imports: Vec<_> = world
            .imports
            .iter()
            .map(|(k, i)| (k.clone(), i.clone()))
            .collect();
        let exports: Vec<_> = world
            .exports
            .iter()
            .map(|(k, i)| (k.clone(), i.clone()))
            .collect();
        for (key, item) in imports {
            match item {
                WorldItem::Function(func) => self.import_function(None, &func)?,
                WorldItem::Interface { id, .. } => {
                    let iface = &self.resolve.interfaces[id];
                    for func in iface.functions.values() {
                        self.import_function(Some(&key), func)?;
                    }
                    for &ty in iface.types.values() {
                        if matches!(self.resolve.types[ty].kind, TypeDefKind::Resource) {
                            self.resource(ty, Direction::Import)?;
                        }
                    }
                }
                WorldItem::Type { id, .. } => {
                    if matches!(self.resolve.types[id].kind, TypeDefKind::Resource) {
                        self.resource(id, Direction::Import)?;
                    }
                }
            }
        }
        for (key, item) in exports {
            match item {
                WorldItem::Function(func) => {
                    let instance = self.export_instance(PyName {
                        module: self.naming.app_module.clone(),
                        name: self.world_class(),
                    });
                    self.export_function(None, &func, Some(instance))?;
                }
                WorldItem::Interface { id, .. } => {
                    let iface = &self.resolve.interfaces[id];
                    let module = self
                        .interface(id, Direction::Export)
                        .expect("named")
                        .module
                        .clone();
                    let freestanding = iface
                        .functions
                        .values()
                        .any(|f| matches!(f.kind, FunctionKind::Freestanding));
                    let instance = freestanding.then(|| {
                        self.export_instance(PyName {
                            module: self.naming.app_module.clone(),
                            name: names::camel(&module),
                        })
                    });
                    for func in iface.functions.values() {
                        self.export_function(Some(&key), func, instance)?;
                    }
                    for &ty in iface.types.values() {
                        if matches!(self.resolve.types[ty].kind, TypeDefKind::Resource) {
                            let resource = self.resource(ty, Direction::Export)?;
                            let name = self.resolve.wasm_export_name(
                                MANGLING,
                                WasmExport::ResourceDtor {
                                    interface: &key,
                                    resource: ty,
                                },
                            );
                            self.dtors.push((name, resource));
                        }
                    }
                }
                WorldItem::Type { .. } => {}
            }
        }
        Ok(())
    }

    fn export_instance(&mut self, class: PyName) -> u32 {
        match self.table.export_instances.iter().position(|c| *c == class) {
            Some(index) => index as u32,
            None => {
                self.table.export_instances.push(class);
                self.table.export_instances.len() as u32 - 1
            }
        }
    }

    fn import_function(&mut self, key: Option<&WorldKey>, func: &Function) -> Result<()> {
        let (module, name) = self.resolve.wasm_import_name(
            MANGLING,
            WasmImport::Func {
                interface: key,
                func,
            },
        );
        let interface = key.map(|k| match k {
            WorldKey::Interface(id) => *id,
            WorldKey::Name(_) => {
                self.interfaces
                    .iter()
                    .find(|i| i.key == *k)
                    .expect("named")
                    .id
            }
        });
        // The signature may add resources, and with them their intrinsic imports: take the
        // function's index only after it.
        let signature = self.signature(func, AbiVariant::GuestImport)?;
        self.import_indices.insert(
            (interface, func.name.clone()),
            self.table.imports.len() as u32,
        );
        self.table.imports.push(ImportFunction {
            module,
            name,
            signature,
        });
        Ok(())
    }

    fn export_function(
        &mut self,
        key: Option<&WorldKey>,
        func: &Function,
        instance: Option<u32>,
    ) -> Result<()> {
        let name = self.resolve.wasm_export_name(
            MANGLING,
            WasmExport::Func {
                interface: key,
                func,
                kind: WasmExportKind::Normal,
            },
        );
        let signature = self.signature(func, AbiVariant::GuestExport)?;
        let method = names::snake(func.item_name());
        let target = match &func.kind {
            FunctionKind::Freestanding => ExportTarget::Method {
                instance: instance.expect("freestanding exports have an instance"),
                name: method,
            },
            FunctionKind::Constructor(ty) => ExportTarget::Constructor {
                resource: self.resource(*ty, Direction::Export)?,
            },
            FunctionKind::Method(ty) => ExportTarget::ResourceMethod {
                resource: self.resource(*ty, Direction::Export)?,
                name: method,
            },
            FunctionKind::Static(ty) => ExportTarget::Static {
                resource: self.resource(*ty, Direction::Export)?,
                name: method,
            },
            _ => bail!("async export `{}` is not supported", func.name),
        };
        self.table.exports.push(ExportFunction {
            name,
            signature,
            target,
        });
        Ok(())
    }

    fn signature(&mut self, func: &Function, variant: AbiVariant) -> Result<Signature> {
        if !matches!(
            func.kind,
            FunctionKind::Freestanding
                | FunctionKind::Method(_)
                | FunctionKind::Static(_)
                | FunctionKind::Constructor(_)
        ) {
            bail!("async function `{}` is not supported", func.name);
        }
        self.side = match variant {
            AbiVariant::GuestExport => Direction::Export,
            _ => Direction::Import,
        };
        let wasm = self.resolve.wasm_signature(variant, func);
        let params = func
            .params
            .iter()
            .map(|p| self.ty(&p.ty))
            .collect::<Result<Vec<_>>>()?;
        let result = func.result.as_ref().map(|t| self.ty(t)).transpose()?;
        let result_raises = func.result.as_ref().is_some_and(|t| self.raises(t));
        Ok(Signature {
            params,
            param_names: func.params.iter().map(|p| names::snake(&p.name)).collect(),
            result,
            flat_params: wasm.params.iter().map(flat_type).collect(),
            flat_results: wasm.results.iter().map(flat_type).collect(),
            params_indirect: wasm.indirect_params,
            results_indirect: wasm.retptr,
            result_raises,
        })
    }

    /// Whether a function whose result type is `ty` returns the ok value and raises `Err`: when
    /// `ty` is a `result` itself, inline or named (`type r = result<..>`), but not an alias of one
    /// (`use i.{r}`, `type a = r`), where the app returns `Ok`/`Err` objects. This is
    /// componentize-py 0.25.1's rule.
    pub fn raises(&self, ty: &Type) -> bool {
        matches!(ty, Type::Id(id) if matches!(self.resolve.types[*id].kind, TypeDefKind::Result(_)))
    }

    /// The side of the world a type reached through alias `alias` is on, from `side`: an alias
    /// into another interface (a `use`) reaches that interface's export only from the export side
    /// of an interface, and when the world exports it too; a world-level `use` always reaches
    /// the import. Resources, and the types that hold them, differ between the two sides.
    pub fn side_across(&self, alias: TypeId, side: Direction) -> Direction {
        let def = &self.resolve.types[alias];
        let TypeDefKind::Type(Type::Id(target)) = def.kind else {
            return side;
        };
        let target_owner = self.resolve.types[target].owner;
        if side == Direction::Import || target_owner == def.owner {
            return side;
        }
        match (def.owner, target_owner) {
            (TypeOwner::Interface(_), TypeOwner::Interface(i))
                if self.interface(i, Direction::Export).is_some() =>
            {
                Direction::Export
            }
            (_, TypeOwner::Interface(_)) => Direction::Import,
            _ => side,
        }
    }

    /// Follows aliases from `id` to the type they name, with the side that type is on.
    pub fn follow(&self, mut id: TypeId, mut side: Direction) -> (TypeId, Direction) {
        while let TypeDefKind::Type(Type::Id(inner)) = self.resolve.types[id].kind {
            side = self.side_across(id, side);
            id = inner;
        }
        (id, side)
    }

    /// The table type of a WIT type, adding defined types to the table on first use.
    pub fn ty(&mut self, ty: &Type) -> Result<abi::Type> {
        Ok(match ty {
            Type::Bool => abi::Type::Bool,
            Type::S8 => abi::Type::S8,
            Type::U8 => abi::Type::U8,
            Type::S16 => abi::Type::S16,
            Type::U16 => abi::Type::U16,
            Type::S32 => abi::Type::S32,
            Type::U32 => abi::Type::U32,
            Type::S64 => abi::Type::S64,
            Type::U64 => abi::Type::U64,
            Type::F32 => abi::Type::F32,
            Type::F64 => abi::Type::F64,
            Type::Char => abi::Type::Char,
            Type::String => abi::Type::String,
            Type::ErrorContext => bail!("`error-context` is not supported"),
            Type::Id(id) => {
                if let TypeDefKind::Type(inner) = &self.resolve.types[*id].kind {
                    let side = self.side;
                    self.side = self.side_across(*id, side);
                    let ty = self.ty(inner);
                    self.side = side;
                    return ty;
                }
                if let Some(&index) = self.type_indices.get(&(*id, self.side)) {
                    return Ok(abi::Type::Defined(index));
                }
                let kind = self.type_kind(*id)?;
                let layout = self.layout(ty);
                let index = self.table.types.len() as u32;
                self.table.types.push(TypeDef { kind, layout });
                self.type_indices.insert((*id, self.side), index);
                abi::Type::Defined(index)
            }
        })
    }

    fn layout(&self, ty: &Type) -> Layout {
        let mut storage = [WasmType::I32; 256];
        let mut flat = FlatTypes::new(&mut storage);
        let fits = self.resolve.push_flat(ty, &mut flat);
        Layout {
            size: self.sizes.size(ty).size_wasm32() as u32,
            align: self.sizes.align(ty).align_wasm32() as u32,
            flat: if fits {
                flat.to_vec().iter().map(flat_type).collect()
            } else {
                Vec::new()
            },
        }
    }

    fn type_kind(&mut self, id: TypeId) -> Result<TypeKind> {
        let def = &self.resolve.types[id];
        Ok(match &def.kind {
            TypeDefKind::Record(record) => {
                let offsets = self
                    .sizes
                    .field_offsets(record.fields.iter().map(|f| &f.ty));
                let mut fields = Vec::new();
                for (field, (offset, _)) in record.fields.iter().zip(offsets) {
                    fields.push(Field {
                        name: names::snake(&field.name),
                        ty: self.ty(&field.ty)?,
                        offset: offset.size_wasm32() as u32,
                    });
                }
                TypeKind::Record {
                    class: self.class_of(id, None),
                    fields,
                }
            }
            TypeDefKind::Tuple(tuple) => {
                let offsets = self.sizes.field_offsets(tuple.types.iter());
                let mut elements = Vec::new();
                for (ty, (offset, _)) in tuple.types.iter().zip(offsets) {
                    elements.push(Field {
                        name: String::new(),
                        ty: self.ty(ty)?,
                        offset: offset.size_wasm32() as u32,
                    });
                }
                TypeKind::Tuple { elements }
            }
            TypeDefKind::Variant(variant) => {
                let payload_offset = self
                    .sizes
                    .payload_offset(variant.tag(), variant.cases.iter().map(|c| c.ty.as_ref()));
                let mut cases = Vec::new();
                for case in &variant.cases {
                    let class = self.class_of(id, Some(&case.name));
                    cases.push(Case {
                        class,
                        ty: case.ty.as_ref().map(|t| self.ty(t)).transpose()?,
                    });
                }
                TypeKind::Variant {
                    cases,
                    payload_offset: payload_offset.size_wasm32() as u32,
                }
            }
            TypeDefKind::Enum(e) => TypeKind::Enum {
                class: self.class_of(id, None),
                cases: e.cases.len() as u32,
            },
            TypeDefKind::Flags(f) => TypeKind::Flags {
                class: self.class_of(id, None),
                count: f.flags.len() as u32,
            },
            TypeDefKind::Option(inner) => {
                let payload_offset = self.sizes.payload_offset(Int::U8, [None, Some(inner)]);
                TypeKind::Option {
                    ty: self.ty(inner)?,
                    payload_offset: payload_offset.size_wasm32() as u32,
                    nested: self.is_option(inner),
                }
            }
            TypeDefKind::Result(result) => {
                let payload_offset = self
                    .sizes
                    .payload_offset(Int::U8, [result.ok.as_ref(), result.err.as_ref()]);
                TypeKind::Result {
                    ok: result.ok.as_ref().map(|t| self.ty(t)).transpose()?,
                    err: result.err.as_ref().map(|t| self.ty(t)).transpose()?,
                    payload_offset: payload_offset.size_wasm32() as u32,
                }
            }
            // Only an element written `u8`/`s8` makes `bytes`, not an alias of one.
            TypeDefKind::List(Type::U8 | Type::S8) => TypeKind::Bytes,
            TypeDefKind::List(element) => TypeKind::List {
                element: self.ty(element)?,
            },
            TypeDefKind::Handle(Handle::Own(resource)) => {
                TypeKind::Own(self.resource_for_handle(*resource)?)
            }
            TypeDefKind::Handle(Handle::Borrow(resource)) => {
                TypeKind::Borrow(self.resource_for_handle(*resource)?)
            }
            other => bail!(
                "WIT type `{}` ({}) is not supported",
                def.name.as_deref().unwrap_or("<anonymous>"),
                kind_name(other)
            ),
        })
    }

    /// Whether `ty` is an `option`, directly or through aliases.
    pub fn is_option(&self, ty: &Type) -> bool {
        match ty {
            Type::Id(id) => match &self.resolve.types[*id].kind {
                TypeDefKind::Type(inner) => self.is_option(inner),
                TypeDefKind::Option(_) => true,
                _ => false,
            },
            _ => false,
        }
    }

    /// The resource a handle refers to, on the side of the world it is reached from: see
    /// [`Summary::handle_side`].
    fn resource_for_handle(&mut self, resource: TypeId) -> Result<u32> {
        let (resource, direction) = self.handle_side(resource, self.side);
        self.resource(resource, direction)
    }

    /// The resource a handle to `resource` (as named where the handle is) refers to, and whether
    /// it is the imported or the exported one, for a handle on `side`: exported when the handle
    /// is in an exported function (or a type it uses) and the aliases to the resource lead to an
    /// interface the world exports (see [`Summary::side_across`]).
    pub fn handle_side(&self, resource: TypeId, side: Direction) -> (TypeId, Direction) {
        let (resource, side) = self.follow(resource, side);
        let direction = match self.resolve.types[resource].owner {
            TypeOwner::Interface(i)
                if side == Direction::Export && self.interface(i, Direction::Export).is_some() =>
            {
                Direction::Export
            }
            _ => Direction::Import,
        };
        (resource, direction)
    }

    fn dealias(&self, mut id: TypeId) -> TypeId {
        while let TypeDefKind::Type(Type::Id(inner)) = self.resolve.types[id].kind {
            id = inner;
        }
        id
    }

    /// The table index of a resource, adding it (and its intrinsics) on first use.
    pub fn resource(&mut self, ty: TypeId, direction: Direction) -> Result<u32> {
        let ty = self.dealias(ty);
        if let Some(&index) = self.resource_indices.get(&(ty, direction)) {
            return Ok(index);
        }
        let def = &self.resolve.types[ty];
        let name = names::camel(def.name.as_deref().unwrap_or("resource"));
        let owner_key = match def.owner {
            TypeOwner::Interface(i) => self.interface(i, direction).map(|info| info.key.clone()),
            _ => None,
        };
        let index = self.table.resources.len() as u32;
        let resource = match direction {
            Direction::Import => {
                let drop = self.intrinsic(
                    owner_key.as_ref(),
                    ty,
                    ResourceIntrinsic::ImportedDrop,
                    &[FlatType::I32],
                    &[],
                );
                Resource {
                    class: self.class_of(ty, None),
                    side: ResourceSide::Imported { drop },
                }
            }
            Direction::Export => {
                let Some(key) = owner_key.as_ref() else {
                    bail!("exported resource `{name}` must be in an interface")
                };
                let module = self
                    .interface_of(ty, Direction::Export)
                    .expect("exported")
                    .module
                    .clone();
                let new = self.intrinsic(
                    Some(key),
                    ty,
                    ResourceIntrinsic::ExportedNew,
                    &[FlatType::I32],
                    &[FlatType::I32],
                );
                let rep = self.intrinsic(
                    Some(key),
                    ty,
                    ResourceIntrinsic::ExportedRep,
                    &[FlatType::I32],
                    &[FlatType::I32],
                );
                let drop = self.intrinsic(
                    Some(key),
                    ty,
                    ResourceIntrinsic::ExportedDrop,
                    &[FlatType::I32],
                    &[],
                );
                Resource {
                    class: PyName { module, name },
                    side: ResourceSide::Exported(ResourceIntrinsics { new, rep, drop }),
                }
            }
        };
        self.table.resources.push(resource);
        self.resource_indices.insert((ty, direction), index);
        Ok(index)
    }

    /// The table index of a resource already summarised.
    pub fn resource_index(&self, ty: TypeId, direction: Direction) -> Option<u32> {
        self.resource_indices
            .get(&(self.dealias(ty), direction))
            .copied()
    }

    fn interface_of(&self, ty: TypeId, direction: Direction) -> Option<&InterfaceInfo> {
        match self.resolve.types[ty].owner {
            TypeOwner::Interface(i) => self.interface(i, direction),
            _ => None,
        }
    }

    fn intrinsic(
        &mut self,
        key: Option<&WorldKey>,
        resource: TypeId,
        intrinsic: ResourceIntrinsic,
        params: &[FlatType],
        results: &[FlatType],
    ) -> u32 {
        let (module, name) = self.resolve.wasm_import_name(
            MANGLING,
            WasmImport::ResourceIntrinsic {
                interface: key,
                resource,
                intrinsic,
            },
        );
        let signature = Signature {
            params: vec![abi::Type::U32],
            result: (!results.is_empty()).then_some(abi::Type::U32),
            flat_params: params.to_vec(),
            flat_results: results.to_vec(),
            ..Signature::default()
        };
        self.table.imports.push(ImportFunction {
            module,
            name,
            signature,
        });
        self.table.imports.len() as u32 - 1
    }

    /// The Python class of a named type (or of one case of a variant).
    fn class_of(&self, id: TypeId, case: Option<&str>) -> PyName {
        let def = &self.resolve.types[id];
        let base = names::camel(def.name.as_deref().unwrap_or("anonymous"));
        let name = match case {
            Some(case) => format!("{base}_{}", names::camel(case)),
            None => base,
        };
        let module = match def.owner {
            TypeOwner::Interface(i) => {
                let info = self
                    .interface(i, Direction::Import)
                    .or_else(|| self.interface(i, Direction::Export));
                self.bindings_module(info)
            }
            _ => self.bindings_module(None),
        };
        PyName { module, name }
    }
}

fn flat_type(ty: &WasmType) -> FlatType {
    match ty {
        WasmType::I32 | WasmType::Pointer | WasmType::Length => FlatType::I32,
        WasmType::I64 | WasmType::PointerOrI64 => FlatType::I64,
        WasmType::F32 => FlatType::F32,
        WasmType::F64 => FlatType::F64,
    }
}

fn kind_name(kind: &TypeDefKind) -> &'static str {
    match kind {
        TypeDefKind::Future(_) => "future",
        TypeDefKind::Stream(_) => "stream",
        TypeDefKind::Resource => "resource",
        _ => "unsupported kind",
    }
}

#[cfg(test)]
mod tests;
