//! The command line's flags, identical to componentize-py 0.25.1's.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Tool for targeting the WebAssembly Component Model using Python
#[derive(Parser, Clone, Debug)]
#[command(name = "componentize-py", version)]
pub struct Cli {
    /// Files or directories containing WIT document(s)
    ///
    /// A directory is one WIT package, with its dependencies in `deps/`. May be given more than
    /// once. The WASI 0.2 packages are built in, so `-w wasi:cli/command@0.2.0` needs no `-d`.
    #[arg(short = 'd', long = "wit-path", default_value = "wit", global = true)]
    pub wit_path: Vec<PathBuf>,

    /// Name of world to target (or default world if not specified)
    ///
    /// A plain name is looked up in the `-d` packages; `namespace:package/world[@version]` in every
    /// package, built-in WASI included. Given more than once, the worlds are merged.
    #[arg(short = 'w', long, global = true)]
    pub world: Vec<String>,

    /// Disable non-error output
    #[arg(short = 'q', long, global = true)]
    pub quiet: bool,

    /// Comma-separated list of features that should be enabled when processing WIT files
    ///
    /// Items marked `@unstable(feature = NAME)` are left out unless their feature is enabled.
    #[arg(long, global = true)]
    pub features: Vec<String>,

    /// Whether to enable all features when processing WIT files
    #[arg(long, global = true)]
    pub all_features: bool,

    /// Specify names to use for imported interfaces (INTERFACE=NAME)
    ///
    /// Replaces the Python module name `wit_world.imports.<name>` generated for INTERFACE
    /// (`namespace:package/interface`, with or without its version). May be given more than once.
    #[arg(long, value_parser = key_value, global = true)]
    pub import_interface_name: Vec<(String, String)>,

    /// Specify names to use for exported interfaces (INTERFACE=NAME)
    ///
    /// Replaces the Python module name `wit_world.exports.<name>` generated for INTERFACE. May be
    /// given more than once.
    #[arg(long, value_parser = key_value, global = true)]
    pub export_interface_name: Vec<(String, String)>,

    /// Name of the Python module to generate for the world (defaults to wit_world)
    #[arg(long, global = true)]
    pub world_module: Option<String>,

    /// Use full interface names (namespace, package and version) for generated modules
    ///
    /// By default a module is named after its interface alone, and qualified only when two
    /// interfaces of the world share a name.
    #[arg(long, global = true)]
    pub full_names: bool,

    // clap reads doc comments as help text, so these two fields are described here instead: the
    // subcommand, and the flags for the app's dependencies.
    #[allow(missing_docs)]
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Subcommand, Clone, Debug)]
// Parsed once per run: boxing the larger variant would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum Command {
    /// Generate a component from the specified Python app and its dependencies
    Componentize(Componentize),
    /// Generate Python bindings for the world and write them to the specified directory
    Bindings(Bindings),
}

/// The flags of `componentize`.
#[derive(Args, Clone, Debug)]
pub struct Componentize {
    /// The name of a Python module containing the app to wrap
    ///
    /// It is imported at build time, and its classes implementing the world's exports are
    /// instantiated then. It must not share its name with the generated world module.
    pub app_name: String,

    /// Specify a directory containing the app and/or its dependencies
    ///
    /// May be given more than once; searched in order. Defaults to `.` plus, if `VIRTUAL_ENV` is
    /// set, its `site-packages`. Python files not imported at build time stay importable at run
    /// time.
    #[arg(short = 'p', long = "python-path")]
    pub python_path: Vec<PathBuf>,

    /// Specify which world to use with which Python module (MODULE=WORLD)
    ///
    /// For libraries on the Python path that ship WIT (a `componentize-py.toml` naming its
    /// `wit_directory`): the library's world joins the target world, and its `bindings` package is
    /// generated. List libraries after the ones they depend on. May be given more than once.
    #[arg(short = 'm', long, value_parser = key_value)]
    pub module_worlds: Vec<(String, String)>,

    /// Specify a world to intersect with the world(s) targeted
    ///
    /// Keeps only the imports and exports the target shares with this world, for hosts that
    /// support a subset of what a library's world asks for. Calling what was left out fails.
    #[arg(short = 'i', long)]
    pub intersect_world: Option<String>,

    /// Output file to write the resulting component to
    #[arg(short = 'o', long, default_value = "index.wasm")]
    pub output: PathBuf,

    #[allow(missing_docs)]
    #[command(flatten)]
    pub dependencies: Dependencies,

    /// If set, replace all WASI imports with local stubs
    ///
    /// The component then imports no WASI: arguments and environment are empty, other WASI
    /// calls fail with ENOSYS, and exiting traps. Random numbers seeded at build time repeat.
    #[arg(short = 's', long)]
    pub stub_wasi: bool,
}

/// The flags that choose and fetch the app's dependencies (see `--requirements`).
#[derive(Args, Clone, Debug, Default)]
#[command(next_help_heading = "Dependencies")]
pub struct Dependencies {
    /// Resolve the requirements of FILE: a requirements file, a pyproject.toml or a PEP 751 lock
    ///
    /// May be given more than once. Requirements files take the common subset: requirement lines,
    /// `-r` includes, `--index-url`, `--extra-index-url`, `--find-links`, comments.
    ///
    /// Without -r, -p and $VIRTUAL_ENV, the app folder's pylock.toml (or its one
    /// pylock.<name>.toml) is installed, else its pyproject.toml's [project].dependencies are
    /// resolved and locked in pylock.componentize-py.toml, which later builds reuse while the
    /// inputs are unchanged. With -p or $VIRTUAL_ENV nothing is resolved unless -r asks for it.
    /// Resolved packages come after the Python path: a package on it wins.
    #[arg(short = 'r', long = "requirements", value_name = "FILE")]
    pub requirements: Vec<PathBuf>,

    /// Add the optional dependencies of EXTRA from pyproject.toml (may be given more than once)
    #[arg(long = "extra", value_name = "EXTRA")]
    pub extras: Vec<String>,

    /// Add the PEP 735 dependency group GROUP from pyproject.toml (may be given more than once)
    #[arg(long = "group", value_name = "GROUP")]
    pub groups: Vec<String>,

    /// The package index (PEP 691 JSON simple API) [default: https://pypi.org/simple]
    #[arg(long, value_name = "URL")]
    pub index_url: Option<String>,

    /// Another index, asked for packages the ones before it lack (may be given more than once)
    #[arg(long, value_name = "URL")]
    pub extra_index_url: Vec<String>,

    /// A directory of wheels, searched before the indexes (may be given more than once)
    #[arg(long, value_name = "DIR")]
    pub find_links: Vec<PathBuf>,

    /// Resolve nothing: bundle the Python path only
    #[arg(long, conflicts_with_all = ["requirements", "locked"])]
    pub no_deps: bool,

    /// Fail unless pylock.componentize-py.toml matches the inputs (resolve nothing)
    #[arg(long)]
    pub locked: bool,

    /// Fetch nothing: use the lock and the wheel cache only
    #[arg(long)]
    pub offline: bool,
}

/// The flags of `bindings`.
#[derive(Args, Clone, Debug)]
pub struct Bindings {
    /// Directory to write the bindings to
    pub output_dir: PathBuf,
}

fn key_value(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .ok_or_else(|| format!("expected KEY=VALUE, got `{s}`"))
}
