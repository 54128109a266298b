//! The Python model of a summarised world: the modules of the `wit_world` package with their
//! imports, classes and functions, each imported function with its import index. Built here from
//! the [`Summary`]; [`crate::bindings`] only prints it.

use wit_parser::{
    Function, FunctionKind, Handle, InterfaceId, Resolve, Type, TypeDefKind, TypeId, TypeOwner,
    WorldItem,
};

use crate::names;
use crate::naming::{Direction, InterfaceInfo};
use crate::summary::Summary;

/// One generated module: its path in the package, the modules it imports besides the fixed
/// header's, and what it defines, in order.
pub struct PyModule {
    /// Path relative to the package root (`wit_world/imports/x.py`).
    pub path: String,
    /// `from … import …` lines.
    pub imports: Vec<String>,
    /// Definitions, in order.
    pub items: Vec<Item>,
}

/// A definition in a generated module.
pub enum Item {
    /// A WIT record: a dataclass with the given (name, annotation) fields.
    Record {
        /// The Python name.
        name: String,
        /// The WIT docs, as written.
        docs: String,
        /// (field name, annotation), in order.
        fields: Vec<(String, String)>,
    },
    /// A WIT variant: a dataclass per case (with the annotation of its value, if any) and their
    /// union.
    Variant {
        /// The Python name.
        name: String,
        /// The WIT docs, as written.
        docs: String,
        /// (case name, annotation of its value), in order.
        cases: Vec<(String, Option<String>)>,
    },
    /// A WIT enum: an `Enum` of these cases, numbered from 0.
    Enum {
        /// The Python name.
        name: String,
        /// The WIT docs, as written.
        docs: String,
        /// The cases' names, in order.
        cases: Vec<String>,
    },
    /// WIT flags: a `Flag` of these members.
    Flags {
        /// The Python name.
        name: String,
        /// The WIT docs, as written.
        docs: String,
        /// The members' names, in order.
        flags: Vec<String>,
    },
    /// An imported resource: a class holding a handle, whose methods call imports, dropped
    /// through resource `index` of the table.
    ImportedResource {
        /// The Python name.
        name: String,
        /// The WIT docs, as written.
        docs: String,
        /// The resource's index in the world table.
        index: u32,
        /// Its methods (constructor and static ones included), in order.
        methods: Vec<Callable>,
    },
    /// A protocol the app implements (an exported resource, interface or world).
    Protocol {
        /// The Python name.
        name: String,
        /// The WIT docs, as written.
        docs: String,
        /// Its methods (constructor and static ones included), in order.
        methods: Vec<Callable>,
    },
    /// An imported freestanding function.
    Function(Callable),
}

/// A function or method.
pub struct Callable {
    /// Constructor, method, static or freestanding.
    pub kind: FunctionKind,
    /// The Python name (unused for constructors, which are `__init__`).
    pub name: String,
    /// (name, annotation) of each parameter after `self`.
    pub params: Vec<(String, String)>,
    /// The return annotation.
    pub returns: String,
    /// Its docstring (the WIT docs, and what it raises).
    pub docs: String,
    /// For an import, its index in the table's imports.
    pub import: Option<u32>,
}

/// The modules of the bindings package, the package markers (`imports/__init__.py`) excepted.
pub fn modules(summary: &Summary<'_>) -> Vec<PyModule> {
    let world = &summary.naming.world_module;
    let resolve = summary.resolve;
    let w = &resolve.worlds[summary.world];
    let mut modules = Vec::new();

    let mut top = Builder::new(summary, None);
    for item in w.imports.values() {
        match item {
            WorldItem::Type { id, .. } => top.ty(*id),
            WorldItem::Function(func) if matches!(func.kind, FunctionKind::Freestanding) => {
                let function = top.callable(func, Direction::Import);
                top.items.push(Item::Function(function));
            }
            // Constructors, methods and statics of world-level resources go in their classes.
            WorldItem::Function(_) | WorldItem::Interface { .. } => {}
        }
    }
    let world_exports: Vec<&Function> = w
        .exports
        .values()
        .filter_map(|item| match item {
            WorldItem::Function(func) => Some(func),
            _ => None,
        })
        .collect();
    top.protocol(summary.world_class(), String::new(), &world_exports);
    modules.push(top.finish(format!("{world}/__init__.py")));

    // The protocols of exported interfaces, which `exports/__init__.py` holds.
    let mut protocols = Builder::new(summary, None);
    protocols.in_exports = true;
    for info in &summary.interfaces {
        let iface = &resolve.interfaces[info.id];
        let mut module = Builder::new(summary, Some(info));
        // Both modules of an interface both imported and exported define its types, as in
        // componentize-py; values the runtime makes, and the protocols, use the import module's.
        for &ty in iface.types.values() {
            module.ty(ty);
        }
        let freestanding = iface
            .functions
            .values()
            .filter(|f| matches!(f.kind, FunctionKind::Freestanding));
        let side = match info.direction {
            Direction::Import => "imports",
            Direction::Export => "exports",
        };
        match info.direction {
            Direction::Import => {
                for func in freestanding {
                    let function = module.callable(func, Direction::Import);
                    module.items.push(Item::Function(function));
                }
            }
            Direction::Export if !iface.functions.is_empty() => {
                let freestanding: Vec<&Function> = freestanding.collect();
                protocols.protocol(names::camel(&info.module), String::new(), &freestanding);
            }
            Direction::Export => {}
        }
        modules.push(module.finish(format!("{world}/{side}/{}.py", info.module)));
    }
    modules.push(protocols.finish(format!("{world}/exports/__init__.py")));
    modules
}

/// Builds one module's items, collecting the imports its annotations need.
struct Builder<'a, 'b> {
    summary: &'a Summary<'b>,
    info: Option<&'a InterfaceInfo>,
    imports: Vec<String>,
    items: Vec<Item>,
    /// The resource whose class is being built: its handles are spelled `Self`.
    current: Option<TypeId>,
    /// The side of the world of what is being built: `Export` in what the app implements, where
    /// handles can name the exported classes (see [`Summary::handle_side`]).
    side: Direction,
    /// Whether the module is in the `exports` package, where an import module named like an
    /// export module is imported under another name (see [`Builder::class_in`]).
    in_exports: bool,
}

impl<'a, 'b> Builder<'a, 'b> {
    fn new(summary: &'a Summary<'b>, info: Option<&'a InterfaceInfo>) -> Self {
        Self {
            summary,
            info,
            imports: Vec::new(),
            items: Vec::new(),
            current: None,
            // What an export module defines holds the exported resources.
            side: info.map_or(Direction::Import, |i| i.direction),
            in_exports: info.is_some_and(|i| i.direction == Direction::Export),
        }
    }

    fn resolve(&self) -> &'b Resolve {
        self.summary.resolve
    }

    fn finish(self, path: String) -> PyModule {
        PyModule {
            path,
            imports: self.imports,
            items: self.items,
        }
    }

    /// The interface that owns a type, if an interface does.
    fn owner_of(&self, id: TypeId) -> Option<InterfaceId> {
        match self.resolve().types[id].owner {
            TypeOwner::Interface(i) => Some(i),
            _ => None,
        }
    }

    /// The name to use for a named type, importing its module when it lives elsewhere.
    fn type_ref(&mut self, id: TypeId) -> String {
        let def = &self.resolve().types[id];
        let name = names::camel(def.name.as_deref().unwrap_or("anonymous"));
        match self.owner_of(id) {
            // Each module of an interface defines its types.
            Some(owner) if self.info.is_some_and(|i| i.id == owner) => name,
            Some(owner) => {
                // Elsewhere, types are the import module's when the interface is imported at all.
                let info = self
                    .summary
                    .interface(owner, Direction::Import)
                    .or_else(|| self.summary.interface(owner, Direction::Export));
                match info {
                    Some(info) => self.class_in(info, &name),
                    None => name,
                }
            }
            None => name,
        }
    }

    /// Class `name` of the bindings module of `info`, importing that module unless it is this one.
    fn class_in(&mut self, info: &InterfaceInfo, name: &str) -> String {
        if self.info.map(|i| (i.id, i.direction)) == Some((info.id, info.direction)) {
            return name.to_string();
        }
        let package = self.summary.bindings_module(Some(info));
        let (parent, module) = package.rsplit_once('.').expect("qualified");
        // In the `exports` package an import module must not take the name of an export module
        // of the same interface: the two can meet in one file, and in `exports/__init__.py` the
        // name would hide the export submodule (`exports.<name>`).
        let shadows = self.in_exports
            && info.direction == Direction::Import
            && self
                .summary
                .interfaces
                .iter()
                .any(|i| i.direction == Direction::Export && i.module == module);
        let (line, binding) = if shadows {
            let binding = format!("imports_{module}");
            (
                format!("from {parent} import {module} as {binding}"),
                binding,
            )
        } else {
            (format!("from {parent} import {module}"), module.to_string())
        };
        if !self.imports.contains(&line) {
            self.imports.push(line);
        }
        format!("{binding}.{name}")
    }

    /// The annotation of a WIT type.
    fn annotation(&mut self, ty: &Type) -> String {
        let id = match ty {
            Type::Bool => return "bool".into(),
            Type::S8
            | Type::U8
            | Type::S16
            | Type::U16
            | Type::S32
            | Type::U32
            | Type::S64
            | Type::U64 => return "int".into(),
            Type::F32 | Type::F64 => return "float".into(),
            Type::Char | Type::String => return "str".into(),
            Type::ErrorContext => return "Any".into(),
            Type::Id(id) => *id,
        };
        match &self.resolve().types[id].kind {
            TypeDefKind::Record(_)
            | TypeDefKind::Variant(_)
            | TypeDefKind::Enum(_)
            | TypeDefKind::Flags(_)
            | TypeDefKind::Resource => self.type_ref(id),
            TypeDefKind::Type(inner) => {
                let side = self.side;
                self.side = self.summary.side_across(id, side);
                let annotation = self.annotation(inner);
                self.side = side;
                annotation
            }
            // Only an element written `u8`/`s8` makes `bytes`, not an alias of one.
            TypeDefKind::List(Type::U8 | Type::S8) => "bytes".into(),
            TypeDefKind::List(element) => format!("List[{}]", self.annotation(element)),
            TypeDefKind::Tuple(tuple) => {
                let items: Vec<String> = tuple.types.iter().map(|t| self.annotation(t)).collect();
                format!("Tuple[{}]", items.join(", "))
            }
            TypeDefKind::Option(inner) => {
                let inner_annotation = self.annotation(inner);
                if self.summary.is_option(inner) {
                    format!("Optional[Some[{inner_annotation}]]")
                } else {
                    format!("Optional[{inner_annotation}]")
                }
            }
            TypeDefKind::Result(result) => {
                let ok = self.optional_annotation(result.ok.as_ref());
                let err = self.optional_annotation(result.err.as_ref());
                format!("Result[{ok}, {err}]")
            }
            TypeDefKind::Handle(Handle::Own(r) | Handle::Borrow(r)) => {
                let (resource, direction) = self.summary.handle_side(*r, self.side);
                let exported = self
                    .owner_of(resource)
                    .filter(|_| direction == Direction::Export)
                    .and_then(|owner| self.summary.interface(owner, Direction::Export));
                if self.current == Some(resource) {
                    "Self".into()
                } else if let Some(info) = exported {
                    let name = self.resolve().types[resource].name.clone();
                    self.class_in(info, &names::camel(name.as_deref().unwrap_or("")))
                } else {
                    self.type_ref(resource)
                }
            }
            _ => "Any".into(),
        }
    }

    /// The annotation of a type that may be absent (`None`).
    fn optional_annotation(&mut self, ty: Option<&Type>) -> String {
        ty.map_or_else(|| "None".into(), |t| self.annotation(t))
    }

    /// Adds the definition of a named type.
    fn ty(&mut self, id: TypeId) {
        let resolve = self.resolve();
        let def = &resolve.types[id];
        let Some(wit_name) = def.name.as_deref() else {
            return;
        };
        let name = names::camel(wit_name);
        let docs = def.docs.contents.clone().unwrap_or_default();
        let item = match &def.kind {
            TypeDefKind::Record(record) => Item::Record {
                name,
                docs,
                fields: record
                    .fields
                    .iter()
                    .map(|field| (names::snake(&field.name), self.annotation(&field.ty)))
                    .collect(),
            },
            TypeDefKind::Variant(variant) => Item::Variant {
                cases: variant
                    .cases
                    .iter()
                    .map(|case| {
                        let class = format!("{name}_{}", names::camel(&case.name));
                        (class, case.ty.as_ref().map(|ty| self.annotation(ty)))
                    })
                    .collect(),
                name,
                docs,
            },
            TypeDefKind::Enum(e) => Item::Enum {
                name,
                docs,
                cases: e.cases.iter().map(|c| names::shouty(&c.name)).collect(),
            },
            TypeDefKind::Flags(f) => Item::Flags {
                name,
                docs,
                flags: f.flags.iter().map(|f| names::shouty(&f.name)).collect(),
            },
            TypeDefKind::Resource => {
                self.current = Some(id);
                let item = self.resource(id, name, docs);
                self.current = None;
                item
            }
            // Aliases, tuples, lists, options, results and handles have no class: uses spell them
            // out, as componentize-py does.
            _ => return,
        };
        self.items.push(item);
    }

    fn resource(&mut self, id: TypeId, name: String, docs: String) -> Item {
        let direction = self.info.map_or(Direction::Import, |i| i.direction);
        let resolve = self.resolve();
        let candidates: Vec<&Function> = match self.info {
            Some(info) => resolve.interfaces[info.id].functions.values().collect(),
            None => resolve.worlds[self.summary.world]
                .imports
                .values()
                .filter_map(|item| match item {
                    WorldItem::Function(func) => Some(func),
                    _ => None,
                })
                .collect(),
        };
        let functions = candidates.into_iter().filter(|f| match f.kind {
            FunctionKind::Constructor(t) | FunctionKind::Method(t) | FunctionKind::Static(t) => {
                t == id
            }
            _ => false,
        });
        match direction {
            Direction::Import => Item::ImportedResource {
                index: self
                    .summary
                    .resource_index(id, Direction::Import)
                    .expect("imported resources are in the table"),
                methods: functions
                    .map(|func| self.callable(func, Direction::Import))
                    .collect(),
                name,
                docs,
            },
            Direction::Export => Item::Protocol {
                methods: functions.map(|func| self.protocol_method(func)).collect(),
                name,
                docs,
            },
        }
    }

    /// Adds a protocol the app implements; an empty world still gets one, as in componentize-py.
    fn protocol(&mut self, name: String, docs: String, functions: &[&Function]) {
        let methods = functions
            .iter()
            .map(|func| self.protocol_method(func))
            .collect();
        self.items.push(Item::Protocol {
            name,
            docs,
            methods,
        });
    }

    /// A method the app implements: its handles are on the export side.
    fn protocol_method(&mut self, func: &Function) -> Callable {
        let side = std::mem::replace(&mut self.side, Direction::Export);
        let method = self.callable(func, Direction::Export);
        self.side = side;
        method
    }

    /// A function of the world on side `direction`, with its import index when imported.
    fn callable(&mut self, func: &Function, direction: Direction) -> Callable {
        let skip_self = matches!(func.kind, FunctionKind::Method(_));
        let params = func
            .params
            .iter()
            .skip(usize::from(skip_self))
            .map(|param| (names::snake(&param.name), self.annotation(&param.ty)))
            .collect();
        let raised = func.result.as_ref().and_then(|t| self.result_parts(t));
        let returns = match (&func.result, raised) {
            (None, _) => "None".into(),
            (Some(_), Some((ok, _))) => self.optional_annotation(ok.as_ref()),
            (Some(ty), None) => self.annotation(ty),
        };
        let mut docs = func.docs.contents.clone().unwrap_or_default();
        if let Some((_, err)) = raised {
            let err = self.optional_annotation(err.as_ref());
            docs.push_str(&format!("\n\nRaises: `componentize_py_types.Err({err})`"));
        }
        let import = (direction == Direction::Import)
            .then(|| self.summary.import_indices[&(self.info.map(|i| i.id), func.name.clone())]);
        Callable {
            kind: func.kind.clone(),
            name: names::snake(func.item_name()),
            params,
            returns,
            docs,
            import,
        }
    }

    /// The ok and err types of a result type that returns the ok value and raises `Err` (see
    /// [`Summary::raises`]).
    fn result_parts(&self, ty: &Type) -> Option<(Option<Type>, Option<Type>)> {
        match ty {
            Type::Id(id) if self.summary.raises(ty) => match &self.resolve().types[*id].kind {
                TypeDefKind::Result(r) => Some((r.ok, r.err)),
                _ => None,
            },
            _ => None,
        }
    }
}
