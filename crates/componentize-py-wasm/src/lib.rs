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
//! | `onBindings`: `({ path: contents }) => void` | the `bindings` command's output |
//!
//! Dependencies are found as the CLI finds them (the files' `pyproject.toml` or `pylock.toml`
//! unless `pythonPath` or `requirements` is given) and fetched by JS between the rounds of
//! [`componentize`] (see [`answers`]).

pub mod answers;
pub mod describe;
pub mod engine;
pub mod host;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use anyhow::Result;
use componentize_py_command::args::{Componentize, Dependencies};
use componentize_py_command::inputs::{self, MemoryFileSystem, WorldFlags};
use componentize_py_command::{StageTimer, dependencies};
use componentize_py_core::{Files, Progress, Runtime, Stage, WorldOptions};
use js_sys::{Array, Function, Object, Reflect, Uint8Array};
use serde::{Deserialize, Serialize};
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

/// A progress event: a stage and, once it ended, how long it took.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Event {
    stage: &'static str,
    description: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    elapsed_ms: Option<f64>,
}

impl Event {
    fn new(stage: Stage, elapsed_ms: Option<f64>) -> Self {
        Self {
            stage: stage_name(stage),
            description: stage.describe(),
            elapsed_ms,
        }
    }
}

/// Bytes that reach JS as a `Uint8Array`.
struct Bytes(Vec<u8>);

impl Serialize for Bytes {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(&self.0)
    }
}

/// `value` as a plain JS value: objects for structs and maps, `null` for `None`, `Uint8Array`
/// for bytes.
pub(crate) fn to_js(value: &impl Serialize) -> Result<JsValue, JsError> {
    let serializer = serde_wasm_bindgen::Serializer::new()
        .serialize_missing_as_null(true)
        .serialize_maps_as_objects(true);
    value
        .serialize(&serializer)
        .map_err(|e| JsError::new(&format!("internal error converting a result: {e}")))
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
    /// The world flags these options stand for.
    fn world_flags(&self) -> WorldFlags {
        let mut wit_path: Vec<PathBuf> =
            self.wit_path.to_vec().into_iter().map(Into::into).collect();
        if wit_path.is_empty() {
            wit_path.push("wit".into());
        }
        WorldFlags {
            wit_path,
            world: self.world.to_vec(),
            features: self.features.to_vec(),
            all_features: self.all_features,
            import_interface_name: sorted(&self.import_interface_names),
            export_interface_name: sorted(&self.export_interface_names),
            world_module: self.world_module.clone(),
            full_names: self.full_names,
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
fn world_options(
    options: &JsValue,
) -> Result<(Options, MemoryFileSystem, Files, WorldOptions), JsError> {
    let parsed = parse_options(options)?;
    let fs = read_files(options)?;
    let (files, world) = inputs::world(&parsed.world_flags(), &fs).map_err(js_error)?;
    Ok((parsed, fs, files, world))
}

/// Generates the Python bindings for the world: `{ path: contents }`.
#[wasm_bindgen]
pub fn bindings(options: JsValue) -> Result<JsValue, JsError> {
    let (_, _, files, world) = world_options(&options)?;
    let generated = componentize_py_core::bindings(&files, &world).map_err(js_error)?;
    to_js(&generated)
}

/// The worlds the options' WIT offers (`witPath`, `features`; `world` is not needed):
/// `[{ name, main }]`, `name` as `world` takes it (qualified for the worlds of `deps/`), `main`
/// for the worlds of the WIT paths' own packages. The built-in WASI worlds are not listed.
#[wasm_bindgen]
pub fn worlds(options: JsValue) -> Result<JsValue, JsError> {
    #[derive(Serialize)]
    struct World {
        name: String,
        main: bool,
    }
    let (_, _, files, world) = world_options(&options)?;
    let worlds: Vec<World> = componentize_py_core::wit::worlds(&files, &world.wit)
        .map_err(js_error)?
        .into_iter()
        .map(|w| World {
            name: w.name,
            main: w.main,
        })
        .collect();
    to_js(&worlds)
}

/// The exports of a component: `{ functions: [{ name, params: [{ name, type }], result }],
/// interfaces: [name] }`, types as `{ kind, ... }` objects (see [`describe::TypeInfo`]).
#[wasm_bindgen(js_name = componentExports)]
pub fn component_exports(component: &[u8]) -> Result<JsValue, JsError> {
    let exports = describe::exports(component).map_err(js_error)?;
    to_js(&exports)
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

/// A package the dependencies installed.
#[derive(Serialize)]
struct Package {
    name: String,
    version: String,
}

/// The lock a build writes: where and what.
#[derive(Serialize)]
struct Lock {
    path: String,
    text: String,
}

/// What the dependency step did.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DependencyInfo {
    packages: Vec<Package>,
    summary: String,
    elapsed_ms: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    lock: Option<Lock>,
}

/// A finished build.
#[derive(Serialize)]
struct Built {
    component: Bytes,
    events: Vec<Event>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dependencies: Option<DependencyInfo>,
}

/// The JS side of a build's progress: `onProgress` and `onBindings`, and the stage events.
struct JsProgress {
    on_progress: Option<Function>,
    on_bindings: Option<Function>,
    timer: StageTimer,
    events: Vec<Event>,
    callback_error: Option<JsValue>,
}

impl JsProgress {
    fn call(&mut self, callback: Option<&Function>, value: Result<JsValue, JsError>) {
        let Some(callback) = callback else {
            return;
        };
        let result = value
            .map_err(JsValue::from)
            .and_then(|value| callback.call1(&JsValue::NULL, &value));
        if let Err(e) = result {
            self.callback_error.get_or_insert(e);
        }
    }

    fn finish(&mut self) {
        if let Some((stage, ms)) = self.timer.finish(js_sys::Date::now()) {
            self.events.push(Event::new(stage, Some(ms)));
        }
    }
}

impl Progress for JsProgress {
    fn stage(&mut self, stage: Stage) {
        if let Some((ended, ms)) = self.timer.start(stage, js_sys::Date::now()) {
            self.events.push(Event::new(ended, Some(ms)));
        }
        let callback = self.on_progress.clone();
        self.call(callback.as_ref(), to_js(&Event::new(stage, None)));
    }

    fn bindings(&mut self, bindings: &BTreeMap<String, String>) {
        let callback = self.on_bindings.clone();
        self.call(callback.as_ref(), to_js(bindings));
    }
}

/// A callback option, if given.
fn callback(options: &JsValue, name: &str) -> Option<Function> {
    Reflect::get(options, &name.into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
}

/// One round of a build (see [`answers`]): `{ pending: { fetch, cached } }` while dependencies
/// are missing from `answers`, else `{ component: Uint8Array, events: [{ stage, description,
/// elapsedMs }], dependencies? }`, `dependencies` being `{ packages: [{ name, version }],
/// summary, elapsedMs, lock? }` with `lock` the `{ path, text }` the CLI would write.
/// `onProgress({ stage, description })` is called as each stage starts, `onBindings({ path:
/// contents })` once the bindings are generated (also when a later stage fails).
///
/// `runtime` is `{ module: Uint8Array, stdlib: Uint8Array }` (`runtime.wasm` and `stdlib.zip`);
/// `engine` runs pre-initialisation (see [`engine`]).
#[wasm_bindgen]
pub fn componentize(
    options: JsValue,
    runtime: JsValue,
    engine: JsEngine,
    answers: &mut Answers,
) -> Result<JsValue, JsError> {
    let (parsed, fs, mut files, world) = world_options(&options)?;
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
    let mut options_out =
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
        #[derive(Serialize)]
        struct Unfinished<'a> {
            pending: answers::Pending<'a>,
        }
        return to_js(&Unfinished { pending });
    }
    let dependencies = installed.map_err(js_error)?.map(|installed| {
        let packages = installed
            .packages
            .iter()
            .map(|(name, version)| Package {
                name: name.clone(),
                version: version.clone(),
            })
            .collect();
        let summary = dependencies::summary(&installed.stats);
        let elapsed_ms = js_sys::Date::now() - started;
        let lock = installed
            .bundle(&mut files, &mut options_out)
            .map(|(path, text)| Lock {
                path: path.to_string_lossy().into_owned(),
                text,
            });
        DependencyInfo {
            packages,
            summary,
            elapsed_ms,
            lock,
        }
    });

    let mut progress = JsProgress {
        on_progress: callback(&options, "onProgress"),
        on_bindings: callback(&options, "onBindings"),
        timer: StageTimer::default(),
        events: Vec::new(),
        callback_error: None,
    };
    let result = componentize_py_core::componentize(
        &files,
        &options_out,
        runtime,
        &mut JsEngineRef(engine),
        &mut progress,
    );
    progress.finish();
    let component = result.map_err(js_error)?;
    if let Some(e) = progress.callback_error {
        return Err(JsError::new(&format!(
            "a progress callback failed: {}",
            engine::error_message(&e)
        )));
    }
    to_js(&Built {
        component: Bytes(component),
        events: progress.events,
        dependencies,
    })
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
