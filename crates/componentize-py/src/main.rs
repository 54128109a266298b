//! `componentize-py`: the native CLI, flag-for-flag compatible with componentize-py 0.25.1.

mod engine;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use componentize_py_core::libraries::CONFIG_FILE;
use componentize_py_core::{ComponentizeOptions, Files, Runtime, Stage, WitOptions, WorldOptions};

/// Tool for targeting the WebAssembly Component Model using Python
#[derive(Parser)]
#[command(name = "componentize-py", version)]
struct Cli {
    /// Files or directories containing WIT document(s)
    #[arg(short = 'd', long = "wit-path", default_value = "wit", global = true)]
    wit_path: Vec<PathBuf>,

    /// Name of world to target (or default world if `None`); may be given more than once to merge
    /// several worlds
    #[arg(short = 'w', long, global = true)]
    world: Vec<String>,

    /// Disable non-error output
    #[arg(short = 'q', long, global = true)]
    quiet: bool,

    /// Comma-separated list of features that should be enabled when processing WIT files
    #[arg(long, global = true)]
    features: Vec<String>,

    /// Whether to enable all features when processing WIT files
    #[arg(long, global = true)]
    all_features: bool,

    /// Specify names to use for imported interfaces (INTERFACE=NAME); may be given more than once
    #[arg(long, value_parser = key_value, global = true)]
    import_interface_name: Vec<(String, String)>,

    /// Specify names to use for exported interfaces (INTERFACE=NAME); may be given more than once
    #[arg(long, value_parser = key_value, global = true)]
    export_interface_name: Vec<(String, String)>,

    /// Name of the Python module to generate for the world (defaults to wit_world)
    #[arg(long, global = true)]
    world_module: Option<String>,

    /// Use full interface names (namespace, package and version) for generated modules
    #[arg(long, global = true)]
    full_names: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate a component from the specified Python app and its dependencies
    Componentize(Componentize),
    /// Generate Python bindings for the world and write them to the specified directory
    Bindings(Bindings),
}

#[derive(Args)]
struct Componentize {
    /// The name of a Python module containing the app to wrap
    app_name: String,

    /// File system paths to search for Python modules; may be given more than once (default: `.`
    /// plus the site-packages of $VIRTUAL_ENV)
    #[arg(short = 'p', long = "python-path")]
    python_path: Vec<PathBuf>,

    /// Specify which world to use with which Python module (MODULE=WORLD); may be given more
    /// than once
    #[arg(short = 'm', long, value_parser = key_value)]
    module_worlds: Vec<(String, String)>,

    /// Intersect the app's world with this world
    #[arg(short = 'i', long)]
    intersect_world: Option<String>,

    /// Output file to write the resulting component to
    #[arg(short = 'o', long, default_value = "index.wasm")]
    output: PathBuf,

    /// If set, replace all WASI imports with trapping stubs
    #[arg(short = 's', long)]
    stub_wasi: bool,
}

#[derive(Args)]
struct Bindings {
    /// Directory to write the bindings to
    output_dir: PathBuf,
}

fn key_value(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .ok_or_else(|| format!("expected KEY=VALUE, got `{s}`"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    let mut files = Files::new();
    let mut wit_paths = Vec::new();
    for path in &cli.wit_path {
        let key = path_key(path);
        if path.exists() {
            read_tree(path, &key, &mut files, &|p| {
                p.extension().is_some_and(|e| e == "wit")
            })?;
        }
        wit_paths.push(key);
    }
    let world = WorldOptions {
        wit: WitOptions {
            paths: wit_paths,
            worlds: cli.world.clone(),
            features: cli.features.clone(),
            all_features: cli.all_features,
            ..WitOptions::default()
        },
        world_module: cli
            .world_module
            .clone()
            .unwrap_or_else(|| "wit_world".into()),
        import_names: cli
            .import_interface_name
            .iter()
            .cloned()
            .collect::<HashMap<_, _>>(),
        export_names: cli
            .export_interface_name
            .iter()
            .cloned()
            .collect::<HashMap<_, _>>(),
        full_names: cli.full_names,
    };
    match cli.command {
        Command::Bindings(bindings) => {
            let generated = componentize_py_core::bindings(&files, &world)?;
            for (path, contents) in generated {
                let path = bindings.output_dir.join(path);
                std::fs::create_dir_all(path.parent().expect("a file in a directory"))?;
                std::fs::write(&path, contents)
                    .with_context(|| format!("writing {}", path.display()))?;
            }
            Ok(())
        }
        Command::Componentize(args) => componentize(args, files, world, cli.quiet),
    }
}

fn componentize(
    args: Componentize,
    mut files: Files,
    mut world: WorldOptions,
    quiet: bool,
) -> Result<()> {
    world.wit.intersect_world = args.intersect_world.clone();
    let mut python_path = args.python_path.clone();
    if python_path.is_empty() {
        python_path.push(PathBuf::from("."));
        python_path.extend(virtual_env_site_packages());
    }
    let mut roots = Vec::new();
    for (i, dir) in python_path.iter().enumerate() {
        if !dir.is_dir() {
            bail!("Python path `{}` is not a directory", dir.display());
        }
        let root = format!("<python-path-{i}>");
        read_tree(dir, &root, &mut files, &is_app_file)?;
        roots.push(root);
    }
    let options = ComponentizeOptions {
        world,
        app_module: args.app_name.clone(),
        python_path: roots,
        module_worlds: args.module_worlds.clone(),
        stub_wasi: args.stub_wasi,
    };
    let runtime = Runtime {
        module: include_bytes!(env!("COMPONENTIZE_PY_RUNTIME_WASM")),
        stdlib: include_bytes!(env!("COMPONENTIZE_PY_STDLIB_ZIP")),
    };
    let mut engine = engine::WasmtimeEngine::new(cache_dir())?;
    let mut current: Option<(Stage, Instant)> = None;
    let mut report = |next: Option<Stage>| {
        if let Some((stage, started)) = current.take()
            && !quiet
        {
            eprintln!(
                "{:<28} {:>7.2}s",
                stage.describe(),
                started.elapsed().as_secs_f64()
            );
        }
        current = next.map(|stage| (stage, Instant::now()));
    };
    let component =
        componentize_py_core::componentize(&files, &options, runtime, &mut engine, &mut |stage| {
            report(Some(stage))
        })?;
    report(None);
    write_atomically(&args.output, &component)?;
    if !quiet {
        println!("Component built successfully");
    }
    Ok(())
}

/// The key of a path in the in-memory tree: as given, without `./`.
fn path_key(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    text.trim_start_matches("./")
        .trim_end_matches('/')
        .to_string()
}

/// Reads the files under `path` accepted by `keep` into `files`, keyed below `key`.
fn read_tree(
    path: &Path,
    key: &str,
    files: &mut Files,
    keep: &dyn Fn(&Path) -> bool,
) -> Result<()> {
    if path.is_file() {
        files.insert(
            key.to_string(),
            std::fs::read(path).with_context(|| format!("reading {}", path.display()))?,
        );
        return Ok(());
    }
    let mut entries: Vec<_> = std::fs::read_dir(path)
        .with_context(|| format!("reading {}", path.display()))?
        .collect::<std::io::Result<_>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || name == "__pycache__" || name == "node_modules" {
            continue;
        }
        let child = entry.path();
        let child_key = if key.is_empty() {
            name
        } else {
            format!("{key}/{name}")
        };
        if entry.file_type()?.is_dir() {
            read_tree(&child, &child_key, files, keep)?;
        } else if keep(&child) {
            files.insert(
                child_key,
                std::fs::read(&child).with_context(|| format!("reading {}", child.display()))?,
            );
        }
    }
    Ok(())
}

/// Python sources, data files inside packages, and the WIT of libraries that ship it.
fn is_app_file(path: &Path) -> bool {
    if path.file_name().is_some_and(|name| name == CONFIG_FILE) {
        return true;
    }
    match path.extension().and_then(|e| e.to_str()) {
        Some("py" | "wit") => true,
        Some("pyc" | "so" | "wasm" | "pyd" | "dylib") => false,
        _ => path
            .parent()
            .is_some_and(|dir| dir.join("__init__.py").is_file()),
    }
}

/// `$VIRTUAL_ENV/lib/python*/site-packages`, if a virtual environment is active.
fn virtual_env_site_packages() -> Option<PathBuf> {
    let venv = PathBuf::from(std::env::var_os("VIRTUAL_ENV")?);
    let lib = std::fs::read_dir(venv.join("lib")).ok()?;
    lib.filter_map(|e| e.ok())
        .map(|e| e.path().join("site-packages"))
        .find(|p| p.is_dir())
}

/// Where compiled code is cached: `$COMPONENTIZE_PY_CACHE` or `~/.cache/componentize-py`.
fn cache_dir() -> Option<PathBuf> {
    let root = std::env::var_os("COMPONENTIZE_PY_CACHE")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache/componentize-py"))
        })?;
    Some(root.join("compiled"))
}

/// Writes `bytes` to `path` through a temporary file, so a failure leaves no partial output.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let partial = path.with_extension(format!("partial-{}", std::process::id()));
    std::fs::write(&partial, bytes).with_context(|| format!("writing {}", partial.display()))?;
    std::fs::rename(&partial, path).with_context(|| format!("writing {}", path.display()))
}
