//! The componentizer of componentize-py, without an engine: it builds for native targets and for
//! `wasm32-unknown-unknown` alike, and every host (the native CLI, Node, browsers) drives the same
//! pipeline through [`componentize`] with its own [`Engine`] for pre-initialisation.
//!
//! The pipeline, one module per stage:
//!
//! 1. [`wit`]: load the WIT (in-memory files, `deps/`, merged worlds, features, built-in WASI);
//! 2. [`summary`]: name the interfaces' Python modules ([`naming`]) and build the runtime's world
//!    table;
//! 3. [`python`]: the bindings' model (modules, classes, functions with their import indices),
//!    which [`bindings`] prints as the `wit_world` package through [`source`];
//! 4. [`bundle`]: zip the app's files and the bindings;
//! 5. [`preinit`]: Wizer-instrument the runtime, run its init in the engine, snapshot;
//! 6. [`glue`]: link the world's imports and exports into the snapshot;
//! 7. [`stub_wasi`] (with `--stub-wasi`): replace the WASI imports with local stubs;
//! 8. [`component`]: wrap it into a component with the WASI preview1 adapter.

pub mod bindings;
pub mod bundle;
pub mod component;
mod files;
pub mod glue;
pub mod libraries;
pub mod names;
pub mod naming;
pub mod preinit;
pub mod python;
mod rewrite;
pub mod source;
pub mod stub_wasi;
pub mod summary;
pub mod wit;

use std::collections::BTreeMap;

use anyhow::{Context, Result, anyhow};
use componentize_py_abi::{INIT_DIR, InitConfig, encode_config};

pub use files::{Files, dir_prefix, path_key};
pub use naming::Naming;
pub use preinit::{Engine, InitError};
pub use wit::WitOptions;

/// The guest runtime artifacts every component is built from.
#[derive(Clone, Copy)]
pub struct Runtime<'a> {
    /// `runtime.wasm`.
    pub module: &'a [u8],
    /// `stdlib.zip`.
    pub stdlib: &'a [u8],
}

/// The custom section of `runtime.wasm` that holds the version of the CPython it embeds.
pub const PYTHON_VERSION_SECTION: &str = "componentize-py:python-version";

impl Runtime<'_> {
    /// The version of the CPython the runtime embeds (e.g. `3.14.7`), if its module says.
    pub fn python_version(&self) -> Option<&str> {
        wasmparser::Parser::new(0)
            .parse_all(self.module)
            .find_map(|payload| match payload {
                Ok(wasmparser::Payload::CustomSection(section))
                    if section.name() == PYTHON_VERSION_SECTION =>
                {
                    std::str::from_utf8(section.data()).ok()
                }
                _ => None,
            })
    }
}

/// A stage of the pipeline, reported when it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Loading the WIT.
    Wit,
    /// Generating bindings.
    Bindings,
    /// Bundling the app.
    Bundle,
    /// Instrumenting the runtime.
    Instrument,
    /// Running the app's initialisation.
    Initialize,
    /// Snapshotting the initialised state.
    Snapshot,
    /// Linking the glue.
    Link,
    /// Assembling the component.
    Component,
}

impl Stage {
    /// A short description for progress lines.
    pub fn describe(self) -> &'static str {
        match self {
            Stage::Wit => "loading WIT",
            Stage::Bindings => "generating bindings",
            Stage::Bundle => "bundling the app",
            Stage::Instrument => "instrumenting the runtime",
            Stage::Initialize => "initialising the app",
            Stage::Snapshot => "snapshotting",
            Stage::Link => "linking the glue",
            Stage::Component => "assembling the component",
        }
    }
}

/// Settings shared by `componentize` and `bindings` (the CLI's global flags).
#[derive(Debug, Clone)]
pub struct WorldOptions {
    /// What WIT to load.
    pub wit: WitOptions,
    /// How the bindings are named (`--world-module`, `--*-interface-name`, `--full-names`) and,
    /// for `componentize`, the app module.
    pub naming: Naming,
}

impl Default for WorldOptions {
    fn default() -> Self {
        Self {
            wit: WitOptions {
                paths: vec!["wit".into()],
                ..WitOptions::default()
            },
            naming: Naming::default(),
        }
    }
}

/// Settings of `componentize`.
#[derive(Debug, Clone)]
pub struct ComponentizeOptions {
    /// WIT and naming; `world.naming.app_module` is the app module, imported at pre-init.
    pub world: WorldOptions,
    /// Python path directories inside the [`Files`], searched in order.
    pub python_path: Vec<String>,
    /// `-m MODULE=WORLD`: the world of each library that ships WIT (see [`libraries`]).
    pub module_worlds: Vec<(String, String)>,
    /// Replace WASI imports with local stubs (`--stub-wasi`).
    pub stub_wasi: bool,
}

/// Generates the Python bindings for the world: path → contents.
pub fn bindings(files: &Files, options: &WorldOptions) -> Result<BTreeMap<String, String>> {
    guarded(|| {
        let loaded = wit::load(files, &options.wit)?;
        let summary = summary::Summary::new(&loaded.resolve, loaded.world, options.naming.clone())?;
        Ok(bindings::generate(&summary))
    })
}

/// What a build tells its caller as it goes. A closure taking a [`Stage`] is one that only wants
/// the stages.
pub trait Progress {
    /// `stage` starts.
    fn stage(&mut self, stage: Stage);
    /// The bindings are generated (path → contents): for callers that show them, so they need
    /// not generate them again.
    fn bindings(&mut self, _bindings: &BTreeMap<String, String>) {}
}

impl<F: FnMut(Stage)> Progress for F {
    fn stage(&mut self, stage: Stage) {
        self(stage)
    }
}

/// Builds a component from the app in `files`, telling `progress` as each stage starts.
pub fn componentize<E: Engine>(
    files: &Files,
    options: &ComponentizeOptions,
    runtime: Runtime<'_>,
    engine: &mut E,
    progress: &mut dyn Progress,
) -> Result<Vec<u8>> {
    guarded(|| {
        progress.stage(Stage::Wit);
        let libraries = libraries::find(files, &options.python_path, &options.module_worlds)?;
        let mut wit_options = options.world.wit.clone();
        wit_options
            .libraries
            .extend(libraries.iter().filter_map(libraries::Library::wit));
        let loaded = wit::load(files, &wit_options)?;
        let (resolve, world) = (&loaded.resolve, loaded.world);
        // An interface that a library with `full_names` brings in first is named in full everywhere:
        // in `wit_world` and in every library's bindings.
        let mut app_naming = options.world.naming.clone();
        let named_by: Vec<(wit_parser::WorldId, bool)> = loaded
            .main_worlds
            .iter()
            .map(|&w| (w, options.world.naming.full_names))
            .chain(
                libraries
                    .iter()
                    .filter(|library| library.wit_path.is_some())
                    .zip(&loaded.library_worlds)
                    .map(|(library, &w)| {
                        (w, library.full_names || options.world.naming.full_names)
                    }),
            )
            .collect();
        app_naming.full_interfaces = naming::full_interfaces(resolve, &named_by);
        let mut summary = summary::Summary::new(resolve, world, app_naming)?;
        let layout = glue::Layout::of(runtime.module)?;
        summary.table.import_dispatch = layout.dispatch_slot;

        progress.stage(Stage::Bindings);
        let generated = bindings::generate(&summary);
        progress.bindings(&generated);

        progress.stage(Stage::Bundle);
        let mut app_files = bundle::select(files, &options.python_path, generated);
        let library_worlds = libraries
            .iter()
            .filter(|library| library.wit_path.is_some())
            .zip(&loaded.library_worlds);
        for (library, &library_world) in library_worlds {
            let Some(package) = &library.bindings else {
                continue;
            };
            let own_naming = naming::Naming {
                world_module: package.replace('/', "."),
                full_names: library.full_names,
                full_interfaces: summary.naming.full_interfaces.clone(),
                ..options.world.naming.clone()
            };
            let own = summary::Summary::new(resolve, library_world, own_naming)?;
            bundle::replace_package(
                &mut app_files,
                package,
                libraries::alias_bindings(&summary, &own),
            );
        }
        bundle::check_app_module(&app_files, &summary.naming.app_module, &options.python_path)?;
        let app_zip = bundle::zip(&app_files)?;
        let config = InitConfig {
            bundles: vec![
                format!("{INIT_DIR}/stdlib.zip"),
                format!("{INIT_DIR}/app.zip"),
            ],
            app_module: Some(summary.naming.app_module.clone()),
            world: summary.table.clone(),
        };
        let init_files = vec![
            ("init.bin".to_string(), encode_config(&config)),
            ("stdlib.zip".to_string(), runtime.stdlib.to_vec()),
            ("app.zip".to_string(), app_zip),
        ];

        progress.stage(Stage::Instrument);
        let instrumented = preinit::instrument(runtime.module)?;

        progress.stage(Stage::Initialize);
        let mut instance = engine
            .initialize(&instrumented.module, &init_files)
            .map_err(|e| {
                let stderr = e.stderr.trim_end();
                if stderr.is_empty() {
                    anyhow!("initialising the app failed: {}", e.message)
                } else {
                    anyhow!("initialising the app failed:\n{stderr}")
                }
            })?;

        progress.stage(Stage::Snapshot);
        let snapshot = instrumented.snapshot(&mut instance)?;

        progress.stage(Stage::Link);
        let glue = glue::Glue {
            imports: &summary.table.imports,
            exports: &summary.table.exports,
            dtors: &summary.dtors,
        };
        let mut linked = glue::link(&snapshot, layout, &glue).context("linking the glue")?;
        if options.stub_wasi {
            linked = stub_wasi::stub(&linked)?;
        }

        progress.stage(Stage::Component);
        component::encode(&linked, resolve, world, !options.stub_wasi)
    })
}

/// Runs `f`, turning a panic (a bug here or in a WIT crate, whatever the input) into an error
/// that says so, where panics unwind.
fn guarded<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".into());
        Err(anyhow!(
            "internal error (a bug in componentize-py, please report it with the input): {message}"
        ))
    })
}
