//! Naming: which Python module the bindings of each interface of the world go in, following
//! componentize-py 0.25.1's rules and the CLI's naming flags.

use std::collections::{HashMap, HashSet};

use wit_parser::{InterfaceId, Resolve, WorldId, WorldItem, WorldKey};

use crate::names;

/// Which side of the world an item is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Imported by the component.
    Import,
    /// Exported by the component.
    Export,
}

/// Naming settings (the CLI's `--world-module`, `--*-interface-name`, `--full-names`, and the app
/// module).
#[derive(Debug, Clone)]
pub struct Naming {
    /// The generated package's name (`--world-module`, default `wit_world`).
    pub world_module: String,
    /// The app module, where export classes live (the `componentize` argument; `app` for
    /// `bindings`).
    pub app_module: String,
    /// Interface name → Python module name overrides for imports.
    pub import_names: HashMap<String, String>,
    /// Interface name → Python module name overrides for exports.
    pub export_names: HashMap<String, String>,
    /// Always qualify interface module names with their package.
    pub full_names: bool,
    /// Interfaces, by side, whose module names are qualified although `full_names` is off: those
    /// that a library with `full_names = true` brings in first (see [`full_interfaces`]).
    pub full_interfaces: HashSet<(InterfaceId, Direction)>,
}

impl Default for Naming {
    fn default() -> Self {
        Self {
            world_module: "wit_world".into(),
            app_module: "app".into(),
            import_names: HashMap::new(),
            export_names: HashMap::new(),
            full_names: false,
            full_interfaces: HashSet::new(),
        }
    }
}

/// The interfaces of `worlds` whose modules get full names: each interface is named, on each side,
/// as the first world that has it asks (`true`: in full), as componentize-py names the interfaces
/// of an app and the libraries it uses (the app's worlds first, then the libraries in order).
pub fn full_interfaces(
    resolve: &Resolve,
    worlds: &[(WorldId, bool)],
) -> HashSet<(InterfaceId, Direction)> {
    let mut seen = HashSet::new();
    let mut full = HashSet::new();
    for &(world, in_full) in worlds {
        let world = &resolve.worlds[world];
        let sides = [
            (Direction::Import, &world.imports),
            (Direction::Export, &world.exports),
        ];
        for (direction, items) in sides {
            for item in items.values() {
                if let WorldItem::Interface { id, .. } = item
                    && seen.insert((*id, direction))
                    && in_full
                {
                    full.insert((*id, direction));
                }
            }
        }
    }
    full
}

/// An interface of the world and the Python module its bindings go in.
#[derive(Debug, Clone)]
pub struct InterfaceInfo {
    /// Its key in the world.
    pub key: WorldKey,
    /// Its id.
    pub id: InterfaceId,
    /// Import or export.
    pub direction: Direction,
    /// The module name inside `<world>.imports` / `<world>.exports`, or the top-level module of an
    /// exported interface's resources.
    pub module: String,
}

/// The world's interfaces, each with the Python module its bindings go in: its short name, or
/// qualified by its package on a clash (and by its version when two versions meet), or in full
/// where `naming` asks, or as overridden.
pub fn interfaces(resolve: &Resolve, world: WorldId, naming: &Naming) -> Vec<InterfaceInfo> {
    let world_items = &resolve.worlds[world];
    let sides = [
        (Direction::Import, &world_items.imports),
        (Direction::Export, &world_items.exports),
    ];
    let mut found = Vec::new();
    let mut interfaces = Vec::new();
    for (direction, items) in sides {
        for (key, item) in items {
            if let WorldItem::Interface { id, .. } = item {
                found.push((key.clone(), *id, direction));
            }
        }
    }
    for (key, id, direction) in &found {
        let full = resolve.name_world_key(key);
        let overrides = match direction {
            Direction::Import => &naming.import_names,
            Direction::Export => &naming.export_names,
        };
        let short = match key {
            WorldKey::Name(name) => name.clone(),
            WorldKey::Interface(i) => resolve.interfaces[*i].name.clone().unwrap_or_default(),
        };
        let unversioned = full.split('@').next().unwrap_or(&full).to_string();
        let clash = found
            .iter()
            .filter(|(k, _, d)| d == direction && k != key)
            .any(|(k, _, _)| match k {
                WorldKey::Name(n) => *n == short,
                WorldKey::Interface(i) => {
                    resolve.interfaces[*i].name.as_deref() == Some(short.as_str())
                }
            });
        // On a clash the package qualifies the name, and the version only when another
        // version of the same interface is there too (as componentize-py does).
        let versions_clash = found.iter().any(|(k, _, d)| {
            d == direction
                && k != key
                && resolve.name_world_key(k).split('@').next() == Some(&unversioned)
        });
        let qualified = |name: &str| names::snake(&name.replace([':', '/', '@', '.'], "-"));
        let module =
            if let Some(name) = overrides.get(&full).or_else(|| overrides.get(&unversioned)) {
                name.clone()
            } else if naming.full_names
                || versions_clash
                || naming.full_interfaces.contains(&(*id, *direction))
            {
                qualified(&full)
            } else if clash {
                qualified(&unversioned)
            } else {
                names::snake(&short)
            };
        interfaces.push(InterfaceInfo {
            key: key.clone(),
            id: *id,
            direction: *direction,
            module,
        });
    }
    interfaces
}
