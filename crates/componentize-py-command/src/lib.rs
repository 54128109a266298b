//! The `componentize-py` command line without an engine or an operating system: its flags
//! ([`args`], identical to componentize-py 0.25.1), reading the WIT and the app's files through a
//! [`FileSystem`] ([`inputs`]), and running a command against a [`Host`] ([`run`]). The native CLI
//! implements the host with `std::fs` and wasmtime; the npm package with Node's `fs` and the JS
//! WebAssembly API. Both therefore read the same files in the same order and build the same bytes.

pub mod args;
pub mod dependencies;
pub mod inputs;

use std::path::Path;

use anyhow::{Context, Result};
use clap::{CommandFactory, FromArgMatches};
use componentize_py_core::{Engine, Runtime, Stage};

pub use args::Cli;
pub use dependencies::PackageHost;
pub use inputs::{FileSystem, Kind};

/// What a command needs from where it runs.
pub trait Host: PackageHost {
    /// The pre-init engine.
    type Engine: Engine;

    /// An environment variable.
    fn env(&self, name: &str) -> Option<String>;
    /// Writes `bytes` to `path` such that a failure leaves no partial file.
    fn write_file(&mut self, path: &Path, bytes: &[u8]) -> Result<()>;
    /// Prints a line to stdout.
    fn print(&self, line: &str);
    /// Prints a line to stderr.
    fn eprint(&self, line: &str);
    /// A clock in milliseconds, for the progress lines.
    fn now_ms(&self) -> f64;
    /// The guest runtime artifacts.
    fn runtime(&self) -> Runtime<'_>;
    /// The engine that runs pre-initialisation.
    fn engine(&mut self) -> Result<Self::Engine>;
}

/// Runs the command line `argv` (program name first) and returns the exit code. Errors print as
/// `error: <message>` on stderr.
pub fn run<H: Host>(argv: impl IntoIterator<Item = String>, host: &mut H) -> i32 {
    let version = format!(
        "{} (CPython {})",
        env!("CARGO_PKG_VERSION"),
        host.runtime().python_version().unwrap_or("unknown")
    );
    let parsed = Cli::command()
        .version(version)
        .try_get_matches_from(argv)
        .and_then(|matches| Cli::from_arg_matches(&matches));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(error) => {
            let text = error.render().to_string();
            let text = text.trim_end();
            if error.use_stderr() {
                host.eprint(text);
            } else {
                host.print(text);
            }
            return error.exit_code();
        }
    };
    match execute(cli, host) {
        Ok(()) => 0,
        Err(error) => {
            host.eprint(&format!("error: {error:#}"));
            1
        }
    }
}

fn execute<H: Host>(cli: Cli, host: &mut H) -> Result<()> {
    let (mut files, world) = inputs::world(&(&cli).into(), host)?;
    match &cli.command {
        args::Command::Bindings(bindings) => {
            let generated = componentize_py_core::bindings(&files, &world)?;
            for (path, contents) in generated {
                let path = bindings.output_dir.join(path);
                host.write_file(&path, contents.as_bytes())
                    .with_context(|| format!("writing {}", path.display()))?;
            }
            Ok(())
        }
        args::Command::Componentize(args) => {
            let virtual_env = host.env("VIRTUAL_ENV");
            let mut options =
                inputs::componentize(args, world, &mut files, host, virtual_env.as_deref())?;
            let started = host.now_ms();
            let python = host.runtime().python_version().map(str::to_string);
            let installed = dependencies::prepare(
                &args.dependencies,
                !args.python_path.is_empty(),
                virtual_env.is_some(),
                python.as_deref(),
                host,
            )?;
            let mut lock = None;
            if let Some(installed) = installed {
                if !cli.quiet {
                    host.eprint(&format!(
                        "{:<28} {:>7.2}s  {}",
                        "resolving dependencies",
                        (host.now_ms() - started) / 1000.0,
                        dependencies::summary(&installed.stats)
                    ));
                }
                lock = installed.bundle(&mut files, &mut options);
            }
            let mut engine = host.engine()?;
            let shared = &*host;
            let mut timer = StageTimer::default();
            let report = |ended: Option<(Stage, f64)>| {
                if let Some((stage, ms)) = ended
                    && !cli.quiet
                {
                    shared.eprint(&progress_line(stage, ms));
                }
            };
            let component = componentize_py_core::componentize(
                &files,
                &options,
                shared.runtime(),
                &mut engine,
                &mut |stage: Stage| report(timer.start(stage, shared.now_ms())),
            )?;
            report(timer.finish(shared.now_ms()));
            host.write_file(&args.output, &component)?;
            if let Some((path, text)) = lock {
                host.write_file(&path, text.as_bytes())
                    .with_context(|| format!("writing {}", path.display()))?;
            }
            if !cli.quiet {
                host.print("Component built successfully");
            }
            Ok(())
        }
    }
}

/// Times the stages of a build from its progress callback: a stage lasts until the next starts,
/// or until [`StageTimer::finish`]. The CLI's progress lines and the JS API's events both use it.
#[derive(Debug, Default)]
pub struct StageTimer {
    current: Option<(Stage, f64)>,
}

impl StageTimer {
    /// Starts `stage` at `now_ms`, returning the stage that ended and how long it took.
    pub fn start(&mut self, stage: Stage, now_ms: f64) -> Option<(Stage, f64)> {
        let ended = self.finish(now_ms);
        self.current = Some((stage, now_ms));
        ended
    }

    /// Ends the current stage at `now_ms`, returning it and how long it took.
    pub fn finish(&mut self, now_ms: f64) -> Option<(Stage, f64)> {
        self.current
            .take()
            .map(|(stage, started)| (stage, now_ms - started))
    }
}

/// One progress line: the stage and its time.
pub fn progress_line(stage: Stage, elapsed_ms: f64) -> String {
    format!("{:<28} {:>7.2}s", stage.describe(), elapsed_ms / 1000.0)
}
