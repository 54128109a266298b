//! Loading WIT: directories with `deps/`, single files, several worlds merged into one, feature
//! gates, and the built-in WASI 0.2 packages. Everything is read from an in-memory [`Files`] tree,
//! so the native CLI, Node and browsers parse exactly the same bytes.

use std::collections::HashSet;

use anyhow::{Context, Result, anyhow, bail};
use indexmap::IndexMap;
use wit_parser::{
    PackageId, Resolve, SourceMap, UnresolvedPackageGroup, WorldId, WorldItem, WorldKey,
};

use crate::files::{Files, dir_prefix, path_key};

/// The WASI 0.2 WIT packages shipped with the tool, in dependency order: `(file name, contents)`.
/// `wit/wasi-0.2/` holds them as the wasmtime-wasi and wasmtime-wasi-http crates of the workspace
/// ship them (the WASI that wasmtime hosts); `tests/host/tests/wasi_wit.rs` checks they still are.
pub const BUILTIN_WASI: &[(&str, &str)] = &[
    ("io.wit", include_str!("../wit/wasi-0.2/io.wit")),
    ("clocks.wit", include_str!("../wit/wasi-0.2/clocks.wit")),
    ("random.wit", include_str!("../wit/wasi-0.2/random.wit")),
    (
        "filesystem.wit",
        include_str!("../wit/wasi-0.2/filesystem.wit"),
    ),
    ("sockets.wit", include_str!("../wit/wasi-0.2/sockets.wit")),
    ("cli.wit", include_str!("../wit/wasi-0.2/cli.wit")),
    ("http.wit", include_str!("../wit/wasi-0.2/http.wit")),
];

/// What to load and which world to pick.
#[derive(Debug, Clone, Default)]
pub struct WitOptions {
    /// WIT directories or files, relative to the [`Files`] root.
    pub paths: Vec<String>,
    /// Worlds to target; several are merged. Empty picks the only world of the main package.
    pub worlds: Vec<String>,
    /// Features to enable.
    pub features: Vec<String>,
    /// Enables every feature.
    pub all_features: bool,
    /// WIT shipped inside Python libraries, whose worlds join the target (`componentize-py.toml`).
    pub libraries: Vec<LibraryWorld>,
    /// Keep only what the target shares with this world (`-i/--intersect-world`).
    pub intersect_world: Option<String>,
}

/// The WIT of a Python library and the world of it the app uses.
#[derive(Debug, Clone)]
pub struct LibraryWorld {
    /// The library's WIT directory or file, relative to the [`Files`] root.
    pub path: String,
    /// The world to use (`-m MODULE=WORLD`); `None` picks the only world of its package.
    pub world: Option<String>,
}

/// Loaded WIT: the target world, and the worlds of the libraries that joined it.
#[derive(Debug)]
pub struct Loaded {
    /// Every package loaded.
    pub resolve: Resolve,
    /// The target world: the selected worlds and the library worlds merged, then intersected.
    pub world: WorldId,
    /// The worlds selected with `-w` (or the only world of the main package), before merging.
    pub main_worlds: Vec<WorldId>,
    /// The world of each of [`WitOptions::libraries`], in order.
    pub library_worlds: Vec<WorldId>,
}

/// Loads the WIT named by `options` from `files` and selects (or merges) the world.
pub fn load(files: &Files, options: &WitOptions) -> Result<Loaded> {
    let mut resolve = empty_resolve(options);
    let builtin = push_builtin_wasi(&mut resolve)?;
    let mut main_packages = Vec::new();
    for path in &options.paths {
        if let Some(package) = push_path(&mut resolve, files, path)? {
            main_packages.push(package);
        }
    }
    let mut library_worlds = Vec::new();
    for library in &options.libraries {
        let package = push_path(&mut resolve, files, &library.path)?
            .ok_or_else(|| anyhow!("WIT path `{}` does not exist", library.path))?;
        let world = match &library.world {
            Some(world) => select_world(&resolve, &[package], world)?,
            None => resolve
                .select_world(&[package], None)
                .map_err(|e| anyhow!("{}: {e}", library.path))?,
        };
        library_worlds.push(world);
    }
    let mut worlds: Vec<WorldId> = if !options.worlds.is_empty() {
        let mut candidates = main_packages.clone();
        candidates.extend(
            library_worlds
                .iter()
                .filter_map(|w| resolve.worlds[*w].package),
        );
        candidates.extend(&builtin);
        options
            .worlds
            .iter()
            .map(|world| select_world(&resolve, &candidates, world))
            .collect::<Result<_>>()?
    } else if let [package] = main_packages.as_slice() {
        vec![
            resolve
                .select_world(&[*package], None)
                .map_err(|e| anyhow!("{e}"))?,
        ]
    } else if main_packages.len() > 1 {
        bail!("several WIT packages were given: pick a world with -w/--world");
    } else if library_worlds.is_empty() {
        bail!(
            "no WIT found at {}: pass -d/--wit-path or -w/--world",
            options.paths.join(", ")
        );
    } else {
        Vec::new()
    };
    let main_worlds = worlds.clone();
    worlds.extend(&library_worlds);
    let world = merge(&mut resolve, &worlds)?;
    if let Some(spec) = &options.intersect_world {
        let mut candidates = main_packages.clone();
        candidates.extend(
            library_worlds
                .iter()
                .filter_map(|w| resolve.worlds[*w].package),
        );
        candidates.extend(&builtin);
        let with = select_world(&resolve, &candidates, spec)?;
        intersect(&mut resolve, world, with);
    }
    Ok(Loaded {
        resolve,
        world,
        main_worlds,
        library_worlds,
    })
}

/// A world the WIT offers, as `-w/--world` names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorldName {
    /// The name to pass: plain for a world of a main package, qualified (`ns:pkg/world@1.0.0`)
    /// for one of their dependencies.
    pub name: String,
    /// Whether the world belongs to a package named by a WIT path.
    pub main: bool,
}

/// The worlds of the WIT at `options.paths` (features applied): those of the main packages in
/// path order, then those of the packages they depend on. The built-in WASI worlds are left out.
pub fn worlds(files: &Files, options: &WitOptions) -> Result<Vec<WorldName>> {
    let mut resolve = empty_resolve(options);
    let builtin = push_builtin_wasi(&mut resolve)?;
    let mut main = Vec::new();
    for path in &options.paths {
        if let Some(package) = push_path(&mut resolve, files, path)?
            && !main.contains(&package)
        {
            main.push(package);
        }
    }
    let others = resolve
        .packages
        .iter()
        .map(|(id, _)| id)
        .filter(|id| !main.contains(id) && !builtin.contains(id));
    let mut names = Vec::new();
    for package in main.iter().copied().chain(others.collect::<Vec<_>>()) {
        let is_main = main.contains(&package);
        let package = &resolve.packages[package];
        for (world, _) in &package.worlds {
            let name = if is_main {
                world.clone()
            } else {
                let pkg = &package.name;
                let version = pkg
                    .version
                    .as_ref()
                    .map(|v| format!("@{v}"))
                    .unwrap_or_default();
                format!("{}:{}/{world}{version}", pkg.namespace, pkg.name)
            };
            names.push(WorldName {
                name,
                main: is_main,
            });
        }
    }
    Ok(names)
}

/// A resolve with the requested features enabled.
fn empty_resolve(options: &WitOptions) -> Resolve {
    let mut resolve = Resolve {
        all_features: options.all_features,
        ..Resolve::default()
    };
    for feature in &options.features {
        for name in feature.split(',').map(str::trim).filter(|f| !f.is_empty()) {
            resolve.features.insert(name.to_string());
        }
    }
    resolve
}

/// Pushes one `-d` path: a directory (its `*.wit` files as one package, plus `deps/`) or a single
/// `.wit` file. A path that does not exist is skipped when it is the default `wit`, else an error.
/// Packages already loaded (the built-in WASI, or another path's) are reused, not loaded twice.
fn push_path(resolve: &mut Resolve, files: &Files, path: &str) -> Result<Option<PackageId>> {
    let path = path_key(path);
    if let Some(contents) = files.get(&path) {
        let mut map = SourceMap::default();
        map.push_str(&path, text(&path, contents)?);
        let group = parse(map)?;
        if let Some(&existing) = resolve.package_names.get(&group.main.name) {
            return Ok(Some(existing));
        }
        return resolve
            .push_group(group)
            .map(Some)
            .map_err(|e| render(resolve, e.into()));
    }
    let prefix = dir_prefix(&path);
    if !files.keys().any(|f| f.starts_with(&prefix)) {
        if path == "wit" {
            return Ok(None);
        }
        bail!("WIT path `{path}` does not exist");
    }
    let main = parse_dir(files, &prefix)?
        .ok_or_else(|| anyhow!("WIT directory `{path}` has no .wit files"))?;
    let deps_prefix = format!("{prefix}deps/");
    let mut deps = Vec::new();
    let mut dep_dirs: Vec<String> = Vec::new();
    for name in files.keys().filter_map(|f| f.strip_prefix(&deps_prefix)) {
        match name.split_once('/') {
            Some((dir, _)) if !dep_dirs.iter().any(|d| d == dir) => dep_dirs.push(dir.to_string()),
            Some(_) => {}
            None if name.ends_with(".wit") => {
                let file = format!("{deps_prefix}{name}");
                let mut map = SourceMap::default();
                map.push_str(&file, text(&file, &files[&file])?);
                deps.push(parse(map)?);
            }
            None => {}
        }
    }
    for dir in dep_dirs {
        if let Some(group) = parse_dir(files, &format!("{deps_prefix}{dir}/"))? {
            deps.push(group);
        }
    }
    if let Some(&existing) = resolve.package_names.get(&main.main.name) {
        return Ok(Some(existing));
    }
    deps.retain(|dep| !resolve.package_names.contains_key(&dep.main.name));
    let package = resolve
        .push_groups(main, deps)
        .map_err(|e| render(resolve, e.into()))?;
    Ok(Some(package))
}

/// Parses the `*.wit` files directly inside `prefix` as one package.
fn parse_dir(files: &Files, prefix: &str) -> Result<Option<UnresolvedPackageGroup>> {
    let mut map = SourceMap::default();
    let mut any = false;
    for (name, contents) in files.range(prefix.to_string()..) {
        let Some(rest) = name.strip_prefix(prefix) else {
            break;
        };
        if rest.contains('/') || !rest.ends_with(".wit") {
            continue;
        }
        map.push_str(name, text(name, contents)?);
        any = true;
    }
    if !any {
        return Ok(None);
    }
    parse(map).map(Some)
}

fn parse(map: SourceMap) -> Result<UnresolvedPackageGroup> {
    map.parse()
        .map_err(|(map, error)| anyhow!("{}", error.render(&map)))
}

/// An error with wit-parser's file:line:column rendering.
fn render(resolve: &Resolve, error: anyhow::Error) -> anyhow::Error {
    anyhow!("{}", resolve.render_error(&error))
}

fn text<'a>(path: &str, contents: &'a [u8]) -> Result<&'a str> {
    std::str::from_utf8(contents).with_context(|| format!("{path} is not UTF-8"))
}

/// Pushes the built-in WASI packages (listed in dependency order), returning their ids.
fn push_builtin_wasi(resolve: &mut Resolve) -> Result<Vec<PackageId>> {
    BUILTIN_WASI
        .iter()
        .map(|(name, contents)| {
            let mut map = SourceMap::default();
            map.push_str(&format!("<builtin>/wasi/{name}"), *contents);
            let group = parse(map)?;
            resolve
                .push_group(group)
                .map_err(|e| anyhow!("the built-in WASI WIT {name} does not resolve: {e}"))
        })
        .collect()
}

/// Finds the world named `spec` (`name`, `pkg:name/world` or `pkg:name/world@version`). A plain
/// name is looked up in the first of `packages` that has it. A WASI 0.2 world of any patch
/// version resolves to the built-in package.
fn select_world(resolve: &Resolve, packages: &[PackageId], spec: &str) -> Result<WorldId> {
    if !spec.contains(':') {
        return packages
            .iter()
            .find_map(|&package| resolve.packages[package].worlds.get(spec).copied())
            .ok_or_else(|| {
                let known: Vec<String> = packages
                    .iter()
                    .flat_map(|&package| {
                        let package = &resolve.packages[package];
                        package
                            .worlds
                            .keys()
                            .map(move |world| format!("{}/{world}", package.name))
                    })
                    .filter(|name| !name.starts_with("wasi:"))
                    .collect();
                match known.as_slice() {
                    [] => anyhow!("unknown world `{spec}`"),
                    known => anyhow!(
                        "unknown world `{spec}`; the WIT defines {}",
                        known.join(", ")
                    ),
                }
            });
    }
    if let Ok(world) = resolve.select_world(packages, Some(spec)) {
        return Ok(world);
    }
    if let Some((unversioned, version)) = spec.split_once('@')
        && version.starts_with("0.2.")
        && let Ok(world) = resolve.select_world(packages, Some(unversioned))
    {
        return Ok(world);
    }
    resolve
        .select_world(packages, Some(spec))
        .map_err(|e| anyhow!("unknown world `{spec}`: {e}"))
}

/// Keeps only the imports and exports of `world` that `with` has too (matched by name).
fn intersect(resolve: &mut Resolve, world: WorldId, with: WorldId) {
    let names = |items: &IndexMap<WorldKey, WorldItem>| -> HashSet<String> {
        items
            .keys()
            .map(|key| resolve.name_world_key(key))
            .collect()
    };
    let imports = names(&resolve.worlds[with].imports);
    let exports = names(&resolve.worlds[with].exports);
    let kept = |items: &IndexMap<WorldKey, WorldItem>, names: &HashSet<String>| {
        items
            .iter()
            .filter(|(key, _)| names.contains(&resolve.name_world_key(key)))
            .map(|(key, item)| (key.clone(), item.clone()))
            .collect::<IndexMap<_, _>>()
    };
    let kept_imports = kept(&resolve.worlds[world].imports, &imports);
    let kept_exports = kept(&resolve.worlds[world].exports, &exports);
    resolve.worlds[world].imports = kept_imports;
    resolve.worlds[world].exports = kept_exports;
}

/// Merges several worlds into a new one, named after the first.
fn merge(resolve: &mut Resolve, worlds: &[WorldId]) -> Result<WorldId> {
    let &[first, ..] = worlds else {
        unreachable!("at least one world")
    };
    if worlds.len() == 1 {
        return Ok(first);
    }
    // An empty world that the first is merged into like the others: merging clones the world's
    // own types (its `use`s and type definitions) into it, which a copy of the first world would
    // leave owned by the original.
    let template = &resolve.worlds[first];
    let name = format!("{}-merged", template.name);
    let merged = resolve.worlds.alloc(wit_parser::World {
        name: name.clone(),
        imports: IndexMap::new(),
        exports: IndexMap::new(),
        package: template.package,
        docs: template.docs.clone(),
        stability: template.stability.clone(),
        includes: Vec::new(),
        span: template.span,
    });
    if let Some(package) = resolve.worlds[merged].package {
        resolve.packages[package].worlds.insert(name, merged);
    }
    for &world in worlds {
        resolve
            .merge_worlds(world, merged, &mut Default::default())
            .with_context(|| format!("merging world `{}`", resolve.worlds[world].name))?;
    }
    Ok(merged)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An in-memory tree from `(path, text)` pairs.
    pub(crate) fn files(entries: &[(&str, &str)]) -> Files {
        entries
            .iter()
            .map(|(p, c)| (p.to_string(), c.as_bytes().to_vec()))
            .collect()
    }

    /// Options that load `wit/`.
    fn wit_dir() -> WitOptions {
        WitOptions {
            paths: vec!["wit".into()],
            ..Default::default()
        }
    }

    #[test]
    fn lists_worlds_main_first_then_deps_qualified() {
        let files = files(&[
            (
                "wit/world.wit",
                "package my:app;\nworld app { import my:dep/greet@1.2.0; }\nworld %other { export run: func(); }",
            ),
            (
                "wit/deps/dep/greet.wit",
                "package my:dep@1.2.0;\ninterface greet { hello: func() -> string; }\nworld host { export greet; }",
            ),
        ]);
        // The path is keyed like every path: `./wit/` is `wit`.
        let options = WitOptions {
            paths: vec!["./wit/".into()],
            ..wit_dir()
        };
        let names: Vec<(String, bool)> = worlds(&files, &options)
            .unwrap()
            .into_iter()
            .map(|w| (w.name, w.main))
            .collect();
        assert_eq!(
            names,
            [
                ("app".to_string(), true),
                ("other".to_string(), true),
                ("my:dep/host@1.2.0".to_string(), false),
            ]
        );
    }

    #[test]
    fn loads_a_directory_with_deps() {
        let files = files(&[
            (
                "wit/world.wit",
                "package my:app;\nworld app { import my:dep/greet; export run: func(); }",
            ),
            (
                "wit/deps/dep/greet.wit",
                "package my:dep;\ninterface greet { hello: func() -> string; }",
            ),
        ]);
        let options = wit_dir();
        let loaded = load(&files, &options).unwrap();
        assert_eq!(loaded.resolve.worlds[loaded.world].name, "app");
        assert_eq!(loaded.resolve.worlds[loaded.world].imports.len(), 1);
    }

    #[test]
    fn syntax_errors_name_file_and_line() {
        let files = files(&[(
            "wit/world.wit",
            "package my:app;\n\nworld app {\n  export run: func(;\n}\n",
        )]);
        let options = wit_dir();
        let error = load(&files, &options).unwrap_err().to_string();
        assert!(error.contains("wit/world.wit:4:"), "{error}");
    }

    #[test]
    fn builtin_wasi_worlds_need_no_wit_path() {
        let options = WitOptions {
            worlds: vec!["wasi:cli/command@0.2.0".into()],
            ..wit_dir()
        };
        let loaded = load(&Files::new(), &options).unwrap();
        assert_eq!(loaded.resolve.worlds[loaded.world].name, "command");
    }

    #[test]
    fn unknown_world_is_an_error() {
        let files = files(&[("wit/world.wit", "package my:app;\nworld app {}")]);
        let options = WitOptions {
            worlds: vec!["nope".into()],
            ..wit_dir()
        };
        let error = load(&files, &options).unwrap_err().to_string();
        assert!(error.contains("unknown world `nope`"), "{error}");
    }

    #[test]
    fn deps_already_built_in_are_reused() {
        let io = wasmtime_wasi_io_wit();
        let files = files(&[
            (
                "wit/world.wit",
                "package my:app;\nworld app { import wasi:io/poll@0.2.12; }",
            ),
            ("wit/deps/io/poll.wit", io.as_str()),
        ]);
        let options = wit_dir();
        let loaded = load(&files, &options).unwrap();
        assert_eq!(loaded.resolve.worlds[loaded.world].imports.len(), 1);
    }

    /// The built-in `wasi:io` package, as a user would vendor it in `deps/`.
    fn wasmtime_wasi_io_wit() -> String {
        BUILTIN_WASI
            .iter()
            .find(|(_, text)| text.contains("package wasi:io@0.2.12"))
            .map(|(_, text)| text.to_string())
            .expect("wasi:io is built in")
    }

    #[test]
    fn intersection_keeps_shared_items() {
        let files = files(&[(
            "wit/world.wit",
            "package my:app;\n\
             interface a { f: func(); }\ninterface b { g: func(); }\n\
             world app { import a; import b; export run: func(); export stop: func(); }\n\
             world host { import a; export run: func(); }",
        )]);
        let options = WitOptions {
            worlds: vec!["app".into()],
            intersect_world: Some("host".into()),
            ..wit_dir()
        };
        let loaded = load(&files, &options).unwrap();
        let world = &loaded.resolve.worlds[loaded.world];
        assert_eq!(world.imports.len(), 1);
        assert_eq!(world.exports.len(), 1);
    }

    #[test]
    fn merging_carries_the_first_worlds_own_types() {
        // The first world's `use` and record must belong to the merged world (wit-parser checks
        // this in debug builds: it used to panic).
        let files = files(&[(
            "wit/world.wit",
            "package my:app;
             interface shapes { record point { x: s32 } }
             interface log { write: func(s: string); }
             world app { use shapes.{point}; record frame { id: s32 }
               export move: func(p: point, f: frame) -> point; }
             world other { import log; }",
        )]);
        let options = WitOptions {
            worlds: vec!["app".into(), "other".into()],
            ..wit_dir()
        };
        let loaded = load(&files, &options).unwrap();
        let resolve = &loaded.resolve;
        let world = &resolve.worlds[loaded.world];
        assert_eq!(world.name, "app-merged");
        let types: Vec<_> = world
            .imports
            .values()
            .filter_map(|item| match item {
                WorldItem::Type { id, .. } => Some(*id),
                _ => None,
            })
            .collect();
        assert_eq!(types.len(), 2);
        for ty in types {
            assert_eq!(
                resolve.types[ty].owner,
                wit_parser::TypeOwner::World(loaded.world)
            );
        }
    }

    #[test]
    fn library_worlds_join_the_target() {
        let files = files(&[
            (
                "wit/world.wit",
                "package my:app;\nworld app { export run: func(); }",
            ),
            (
                "lib/sdk/wit/sdk.wit",
                "package my:sdk;\ninterface log { write: func(s: string); }\nworld sdk { import log; }",
            ),
        ]);
        let options = WitOptions {
            libraries: vec![LibraryWorld {
                path: "lib/sdk/wit".into(),
                world: None,
            }],
            ..wit_dir()
        };
        let loaded = load(&files, &options).unwrap();
        let world = &loaded.resolve.worlds[loaded.world];
        assert_eq!((world.imports.len(), world.exports.len()), (1, 1));
        assert_eq!(loaded.library_worlds.len(), 1);
    }
}
