//! The command line's flags, identical to componentize-py 0.25.1's.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Tool for targeting the WebAssembly Component Model using Python
#[derive(Parser, Clone, Debug)]
#[command(name = "componentize-py", version)]
pub struct Cli {
    /// Files or directories containing WIT document(s)
    #[arg(short = 'd', long = "wit-path", default_value = "wit", global = true)]
    pub wit_path: Vec<PathBuf>,

    /// Name of world to target (or default world if `None`); may be given more than once to merge
    /// several worlds
    #[arg(short = 'w', long, global = true)]
    pub world: Vec<String>,

    /// Disable non-error output
    #[arg(short = 'q', long, global = true)]
    pub quiet: bool,

    /// Comma-separated list of features that should be enabled when processing WIT files
    #[arg(long, global = true)]
    pub features: Vec<String>,

    /// Whether to enable all features when processing WIT files
    #[arg(long, global = true)]
    pub all_features: bool,

    /// Specify names to use for imported interfaces (INTERFACE=NAME); may be given more than once
    #[arg(long, value_parser = key_value, global = true)]
    pub import_interface_name: Vec<(String, String)>,

    /// Specify names to use for exported interfaces (INTERFACE=NAME); may be given more than once
    #[arg(long, value_parser = key_value, global = true)]
    pub export_interface_name: Vec<(String, String)>,

    /// Name of the Python module to generate for the world (defaults to wit_world)
    #[arg(long, global = true)]
    pub world_module: Option<String>,

    /// Use full interface names (namespace, package and version) for generated modules
    #[arg(long, global = true)]
    pub full_names: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Clone, Debug)]
pub enum Command {
    /// Generate a component from the specified Python app and its dependencies
    Componentize(Componentize),
    /// Generate Python bindings for the world and write them to the specified directory
    Bindings(Bindings),
}

#[derive(Args, Clone, Debug)]
pub struct Componentize {
    /// The name of a Python module containing the app to wrap
    pub app_name: String,

    /// File system paths to search for Python modules; may be given more than once (default: `.`
    /// plus the site-packages of $VIRTUAL_ENV)
    #[arg(short = 'p', long = "python-path")]
    pub python_path: Vec<PathBuf>,

    /// Specify which world to use with which Python module (MODULE=WORLD); may be given more
    /// than once
    #[arg(short = 'm', long, value_parser = key_value)]
    pub module_worlds: Vec<(String, String)>,

    /// Intersect the app's world with this world
    #[arg(short = 'i', long)]
    pub intersect_world: Option<String>,

    /// Output file to write the resulting component to
    #[arg(short = 'o', long, default_value = "index.wasm")]
    pub output: PathBuf,

    /// If set, replace all WASI imports with trapping stubs
    #[arg(short = 's', long)]
    pub stub_wasi: bool,
}

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
