//! componentize-py for Node and browsers: the core componentizer compiled to
//! `wasm32-unknown-unknown` and exposed with wasm-bindgen. Pre-initialisation runs in a JS
//! [engine](engine) on the WebAssembly API; `web/` holds the JS side and the npm package.
//!
//! Options mirror the native CLI's flags and become its command line (`componentize-py-command`)
//! over the in-memory files, so that the same inputs give byte-identical components and the same
//! error messages (`{:#}` of the error, without the CLI's `error: `). [`run_cli`] runs that
//! command line itself against a JS host (the npm package's `componentize-py` binary).
//!
//! JS options (every field optional except `files` and, for `componentize`, `appName`):
//!
//! | field | CLI flag |
//! |---|---|
//! | `files`: `{ path: Uint8Array \| string }` or a `Map` | the file system, paths relative with `/` |
//! | `witPath`: string or string[] (default `["wit"]`) | `-d/--wit-path` |
//! | `world`: string or string[] | `-w/--world` |
//! | `features`: string or string[] | `--features` |
//! | `allFeatures`: boolean | `--all-features` |
//! | `worldModule`: string | `--world-module` |
//! | `importInterfaceNames`: `{ interface: name }` | `--import-interface-name` |
//! | `exportInterfaceNames`: `{ interface: name }` | `--export-interface-name` |
//! | `fullNames`: boolean | `--full-names` |
//! | `appName`: string | `componentize APP_NAME` |
//! | `pythonPath`: string or string[] (default `["."]`) | `-p/--python-path` |
//! | `moduleWorlds`: `{ module: world }` | `-m/--module-worlds` |
//! | `intersectWorld`: string | `-i/--intersect-world` |
//! | `stubWasi`: boolean | `-s/--stub-wasi` |
//! | `requirements`: string or string[] | `-r/--requirements` |
//! | `extras`: string or string[] | `--extra` |
//! | `groups`: string or string[] | `--group` |
//! | `indexUrl`: string | `--index-url` |
//! | `extraIndexUrl`: string or string[] | `--extra-index-url` |
//! | `findLinks`: string or string[] | `--find-links` |
//! | `noDeps`: boolean | `--no-deps` |
//! | `locked`: boolean | `--locked` |
//! | `offline`: boolean | `--offline` |
//! | `onProgress`: `({ stage, description }) => void` | the CLI's stage lines |
//!
//! Dependencies are found as the CLI finds them (the files' `pyproject.toml` or `pylock.toml`
//! unless `pythonPath` or `requirements` is given) and fetched by JS between the rounds of
//! [`componentize`] (see [`answers`]).

pub mod answers;
pub mod engine;
pub mod host;

use std::collections::HashMap;
use std::path::PathBuf;

use anyhow::Result;
use componentize_py_command::args::{Bindings, Cli, Command, Componentize, Dependencies};
use componentize_py_command::dependencies;
use componentize_py_command::inputs::{self, MemoryFileSystem};
use componentize_py_core::{Files, Runtime, Stage, WorldOptions};
use js_sys::{Array, Function, Object, Reflect, Uint8Array};
use serde::Deserialize;
use wasm_bindgen::prelude::*;

use crate::answers::{Answers, Round};
use crate::engine::{JsEngine, JsEngineRef};

/// One string or several.
#[derive(Deserialize, Default)]
#[serde(untagged)]
enum Strings {
    #[default]
    None,
    One(String),
    Many(Vec<String>),
}

impl Strings {
    fn to_vec(&self) -> Vec<String> {
        match self {
            Strings::None => Vec::new(),
            Strings::One(s) => vec![s.clone()],
            Strings::Many(v) => v.clone(),
        }
    }
}

/// `KEY=VALUE` flags given as a JS object (or `[key, value]` pairs), in order.
#[derive(Default)]
struct Pairs(Vec<(String, String)>);

impl<'de> Deserialize<'de> for Pairs {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Pairs;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of strings or a list of [key, value] pairs")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Pairs, A::Error> {
                let mut pairs = Vec::new();
                while let Some(pair) = map.next_entry()? {
                    pairs.push(pair);
                }
                Ok(Pairs(pairs))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Pairs, A::Error> {
                let mut pairs = Vec::new();
                while let Some(pair) = seq.next_element()? {
                    pairs.push(pair);
                }
                Ok(Pairs(pairs))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// The JS options, files and callbacks aside.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Options {
    wit_path: Strings,
    world: Strings,
    features: Strings,
    all_features: bool,
    world_module: Option<String>,
    import_interface_names: HashMap<String, String>,
    export_interface_names: HashMap<String, String>,
    full_names: bool,
    app_name: Option<String>,
    python_path: Strings,
    module_worlds: Pairs,
    intersect_world: Option<String>,
    stub_wasi: bool,
    requirements: Strings,
    extras: Strings,
    groups: Strings,
    index_url: Option<String>,
    extra_index_url: Strings,
    find_links: Strings,
    no_deps: bool,
    locked: bool,
    offline: bool,
}

/// A progress event: a stage and how long it took.
fn event(stage: Stage, elapsed_ms: Option<f64>) -> Object {
    let event = Object::new();
    let _ = Reflect::set(&event, &"stage".into(), &stage_name(stage).into());
    let _ = Reflect::set(&event, &"description".into(), &stage.describe().into());
    if let Some(ms) = elapsed_ms {
        let _ = Reflect::set(&event, &"elapsedMs".into(), &ms.into());
    }
    event
}

/// The stage's name in JS.
fn stage_name(stage: Stage) -> &'static str {
    match stage {
        Stage::Wit => "wit",
        Stage::Bindings => "bindings",
        Stage::Bundle => "bundle",
        Stage::Instrument => "instrument",
        Stage::Initialize => "initialize",
        Stage::Snapshot => "snapshot",
        Stage::Link => "link",
        Stage::Component => "component",
    }
}

/// The CLI's error text: `{:#}` of the chain.
fn js_error(error: anyhow::Error) -> JsError {
    JsError::new(&format!("{error:#}"))
}

/// Reads the `files` option: a plain object or a `Map` of path → `Uint8Array` (or string).
fn read_files(options: &JsValue) -> Result<MemoryFileSystem, JsError> {
    let files = Reflect::get(options, &"files".into()).map_err(|_| JsError::new("no files"))?;
    if files.is_undefined() || files.is_null() {
        return Ok(MemoryFileSystem::new([]));
    }
    let entries: Array = if let Some(map) = files.dyn_ref::<js_sys::Map>() {
        Array::from(&map.entries().into())
    } else {
        Object::entries(files.unchecked_ref())
    };
    let mut out = Vec::new();
    for entry in entries.iter() {
        let entry: Array = entry.unchecked_into();
        let path = entry
            .get(0)
            .as_string()
            .ok_or_else(|| JsError::new("files: paths must be strings"))?;
        let value = entry.get(1);
        let bytes = if let Some(text) = value.as_string() {
            text.into_bytes()
        } else if value.is_instance_of::<Uint8Array>()
            || value.is_instance_of::<js_sys::ArrayBuffer>()
        {
            Uint8Array::new(&value).to_vec()
        } else {
            return Err(JsError::new(&format!(
                "files: `{path}` must be a Uint8Array or a string"
            )));
        };
        out.push((path, bytes));
    }
    Ok(MemoryFileSystem::new(out))
}

impl Options {
    /// The command line these options stand for.
    fn cli(&self, command: Command) -> Cli {
        let mut wit_path: Vec<PathBuf> =
            self.wit_path.to_vec().into_iter().map(Into::into).collect();
        if wit_path.is_empty() {
            wit_path.push("wit".into());
        }
        Cli {
            wit_path,
            world: self.world.to_vec(),
            quiet: true,
            features: self.features.to_vec(),
            all_features: self.all_features,
            import_interface_name: sorted(&self.import_interface_names),
            export_interface_name: sorted(&self.export_interface_names),
            world_module: self.world_module.clone(),
            full_names: self.full_names,
            command,
        }
    }
}

impl Options {
    /// The dependency flags these options stand for.
    fn dependencies(&self) -> Result<Dependencies, JsError> {
        let paths = |strings: &Strings| strings.to_vec().into_iter().map(Into::into).collect();
        let flags = Dependencies {
            requirements: paths(&self.requirements),
            extras: self.extras.to_vec(),
            groups: self.groups.to_vec(),
            index_url: self.index_url.clone(),
            extra_index_url: self.extra_index_url.to_vec(),
            find_links: paths(&self.find_links),
            no_deps: self.no_deps,
            locked: self.locked,
            offline: self.offline,
        };
        if flags.no_deps && (!flags.requirements.is_empty() || flags.locked) {
            return Err(JsError::new(
                "options.noDeps cannot be combined with options.requirements or options.locked",
            ));
        }
        Ok(flags)
    }
}

/// A map's pairs in a fixed order.
fn sorted(map: &HashMap<String, String>) -> Vec<(String, String)> {
    let mut pairs: Vec<_> = map.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    pairs.sort();
    pairs
}

/// Parses the JS options.
fn parse_options(options: &JsValue) -> Result<Options, JsError> {
    if options.is_undefined() || options.is_null() {
        return Ok(Options::default());
    }
    serde_wasm_bindgen::from_value(options.clone())
        .map_err(|e| JsError::new(&format!("invalid options: {e}")))
}

/// Reads the WIT the options name from the in-memory files, as the CLI does.
fn world_options(cli: &Cli, fs: &MemoryFileSystem) -> Result<(Files, WorldOptions), JsError> {
    inputs::world(cli, fs).map_err(js_error)
}

/// Generates the Python bindings for the world: `{ path: contents }`.
#[wasm_bindgen]
pub fn bindings(options: JsValue) -> Result<Object, JsError> {
    let parsed = parse_options(&options)?;
    let fs = read_files(&options)?;
    let cli = parsed.cli(Command::Bindings(Bindings {
        output_dir: PathBuf::new(),
    }));
    let (files, world) = world_options(&cli, &fs)?;
    let generated = componentize_py_core::bindings(&files, &world).map_err(js_error)?;
    let out = Object::new();
    for (path, contents) in generated {
        let _ = Reflect::set(&out, &path.into(), &contents.into());
    }
    Ok(out)
}

/// Reads `runtime.module` and `runtime.stdlib`.
fn runtime_bytes(runtime: &JsValue) -> Result<(Vec<u8>, Vec<u8>), JsError> {
    let bytes = |name: &str| -> Result<Vec<u8>, JsError> {
        Reflect::get(runtime, &name.into())
            .ok()
            .filter(|v| v.is_instance_of::<Uint8Array>())
            .map(|v| Uint8Array::new(&v).to_vec())
            .ok_or_else(|| JsError::new(&format!("runtime.{name} must be a Uint8Array")))
    };
    Ok((bytes("module")?, bytes("stdlib")?))
}

/// One round of a build (see [`answers`]): `{ pending: { fetch, cached } }` while dependencies
/// are missing from `answers`, else `{ component: Uint8Array, events: [{ stage, description,
/// elapsedMs }], dependencies? }`, `dependencies` being `{ packages: [{ name, version }],
/// summary, elapsedMs, lock? }` with `lock` the `{ path, text }` the CLI would write.
///
/// `runtime` is `{ module: Uint8Array, stdlib: Uint8Array }` (`runtime.wasm` and `stdlib.zip`);
/// `engine` runs pre-initialisation (see [`engine`]).
#[wasm_bindgen]
pub fn componentize(
    options: JsValue,
    runtime: JsValue,
    engine: JsEngine,
    answers: &mut Answers,
) -> Result<Object, JsError> {
    let parsed = parse_options(&options)?;
    let fs = read_files(&options)?;
    let on_progress = Reflect::get(&options, &"onProgress".into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok());
    let (module, stdlib) = runtime_bytes(&runtime)?;
    let app_name = parsed
        .app_name
        .clone()
        .ok_or_else(|| JsError::new("options.appName is required"))?;
    let args = Componentize {
        app_name,
        python_path: parsed
            .python_path
            .to_vec()
            .into_iter()
            .map(Into::into)
            .collect(),
        module_worlds: parsed.module_worlds.0.clone(),
        intersect_world: parsed.intersect_world.clone(),
        output: PathBuf::new(),
        dependencies: parsed.dependencies()?,
        stub_wasi: parsed.stub_wasi,
    };
    let cli = parsed.cli(Command::Componentize(args.clone()));
    let (mut files, world) = world_options(&cli, &fs)?;
    let mut options =
        inputs::componentize(&args, world, &mut files, &fs, None).map_err(js_error)?;

    let runtime = Runtime {
        module: &module,
        stdlib: &stdlib,
    };
    let started = js_sys::Date::now();
    let mut round = Round::new(&fs, answers);
    let installed = dependencies::prepare(
        &args.dependencies,
        !args.python_path.is_empty(),
        false,
        runtime.python_version(),
        &mut round,
    );
    if let Some(pending) = round.pending() {
        let out = Object::new();
        let _ = Reflect::set(&out, &"pending".into(), &pending);
        return Ok(out);
    }
    let installed = installed.map_err(js_error)?.map(|installed| {
        let packages: Array = installed
            .packages
            .iter()
            .map(|(name, version)| {
                let package = Object::new();
                let _ = Reflect::set(&package, &"name".into(), &name.as_str().into());
                let _ = Reflect::set(&package, &"version".into(), &version.as_str().into());
                JsValue::from(package)
            })
            .collect();
        let info = Object::new();
        let _ = Reflect::set(&info, &"packages".into(), &packages);
        let summary = dependencies::summary(&installed.stats);
        let _ = Reflect::set(&info, &"summary".into(), &summary.into());
        let elapsed = js_sys::Date::now() - started;
        let _ = Reflect::set(&info, &"elapsedMs".into(), &elapsed.into());
        if let Some((path, text)) = installed.bundle(&mut files, &mut options) {
            let lock = Object::new();
            let path = path.to_string_lossy().into_owned();
            let _ = Reflect::set(&lock, &"path".into(), &path.into());
            let _ = Reflect::set(&lock, &"text".into(), &text.into());
            let _ = Reflect::set(&info, &"lock".into(), &lock);
        }
        info
    });

    let events = Array::new();
    let mut current: Option<(Stage, f64)> = None;
    let finish = |current: &mut Option<(Stage, f64)>| {
        if let Some((stage, started)) = current.take() {
            events.push(&event(stage, Some(js_sys::Date::now() - started)));
        }
    };
    let mut callback_error = None;
    let result = componentize_py_core::componentize(
        &files,
        &options,
        runtime,
        &mut JsEngineRef(engine),
        &mut |stage| {
            finish(&mut current);
            if let Some(f) = &on_progress
                && let Err(e) = f.call1(&JsValue::NULL, &event(stage, None))
            {
                callback_error.get_or_insert(e);
            }
            current = Some((stage, js_sys::Date::now()));
        },
    );
    finish(&mut current);
    let component = result.map_err(js_error)?;
    if let Some(e) = callback_error {
        return Err(JsError::new(&format!(
            "onProgress failed: {}",
            engine::error_message(&e)
        )));
    }
    let out = Object::new();
    let _ = Reflect::set(
        &out,
        &"component".into(),
        &Uint8Array::from(component.as_slice()),
    );
    let _ = Reflect::set(&out, &"events".into(), &events);
    if let Some(info) = installed {
        let _ = Reflect::set(&out, &"dependencies".into(), &info);
    }
    Ok(out)
}

/// Runs the `componentize-py` command line `argv` (program name first) against a JS host (see
/// [`host`]) and returns its exit code: the npm package's binary.
#[wasm_bindgen(js_name = runCli)]
pub fn run_cli(
    argv: Vec<String>,
    host: host::JsHost,
    runtime: JsValue,
    engine: JsEngine,
) -> Result<i32, JsError> {
    let (module, stdlib) = runtime_bytes(&runtime)?;
    let mut host = host::CliHost::new(host, module, stdlib, engine);
    Ok(componentize_py_command::run(argv, &mut host))
}
