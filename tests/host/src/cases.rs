//! The test corpus: each `tests/cases/<name>/` holds a WIT world (`wit/`), a Python app (`app.py`
//! and friends), `case.txt`, which says how to build it and what running it must give, and
//! `golden-bindings/`, the output of `componentize-py bindings` for its world (see
//! [`Case::check_bindings`]; `BLESS=1` rewrites it).
//!
//! `case.txt` is parsed here and nowhere else: the JS tests read the parsed form as JSON from
//! `cases-json` (`src/bin/cases-json.rs`). It has one directive per line (`#` starts a comment):
//!
//! ```text
//! # How the case is built (wherever these lines stand)
//! world <name>                         -w for the build (and for `bindings`)
//! stub-wasi                            build with -s; the component must import no WASI
//! flags <args>                         more global flags (before `componentize`/`bindings`)
//! componentize-flags <args>            more `componentize` flags (after the app name)
//! env <NAME>=<value>                   an environment variable for the build; `$CASE` in the
//!                                      value is the case directory
//! build-fails ~ <text>                 the build must fail, naming <text>, and write no output;
//!                                      such a case has no directives that need a run
//! lacks-import <name>                  the component must not import <name>
//! index <dir>                          serve the packages of <dir> (see [`crate::index`]; `$CACHE`
//!                                      in <dir> is the cache root, where test.sh puts the PyPI
//!                                      wheels of tests/pypi/requirements.txt) as a
//!                                      PEP 691 index on 127.0.0.1 and build with --index-url
//!                                      pointing at it, in a copy of the case directory; the
//!                                      build writes pylock.componentize-py.toml there, and a
//!                                      second build must fetch nothing and give the same bytes
//! lock ~ <text>                        that lock contains <text>
//!
//! # What the component sees when it runs (wherever these lines stand)
//! stdin <WAVE string>                  bytes on its stdin, e.g. `stdin "héllo\n"`; several
//!                                      lines are fed one after the other
//! run-env <NAME>=<value>               an environment variable (WASI), not one of the build
//! run-args <arg> <arg>...              its argv, argv[0] first (split at whitespace)
//! preopen <guest-path>                 a fresh empty host directory, preopened read/write
//! import <path>(<args>) -> <result>    what the host answers when the component calls import
//!                                      <path> with <args>; `-> _` for a function without result.
//!                                      Every answer must be used by some call.
//!
//! # Checks, in order
//! call <path>(<args>) == <result>      call an export and compare its result
//! call <path>(<args>) -> $<name>       call an export and keep its result (e.g. a resource)
//! call <path>(<args>)                  call an export, ignore its result
//! call <path>(<args>) traps ~ <text>   the call must trap, with <text> in the trap or in what
//!                                      the component wrote to stderr during the call
//! stdout ~ <text>                      what the component wrote to stdout so far contains <text>
//! stderr ~ <text>                      the same for stderr
//! ```
//!
//! Every directive is checked. After a call that traps as expected, the next directives run in a
//! fresh instance of the same component (a new store): stdin, stdout, stderr and the preopened
//! directories carry on, but results kept with `-> $<name>` are gone, and using one is an error.
//! Output is compared as UTF-8 text; output that is not UTF-8 fails the check.
//!
//! A `<path>` is a world-level function name, or `<interface>#<function>` (for example
//! `test:types/api#echo`, `test:res/api#[method]counter.get` or `wasi:cli/run@0.2.12#run`,
//! whose result is compared with `== ok` or `== err`). Arguments and results are WAVE values
//! (parsed with `wasm-wave`), in which two forms that are not WAVE may stand for a value:
//! `$<name>`, a kept result, in the arguments of `call`; and `@N`, a host resource with rep N, in
//! `import` lines (imported resources are defined by the host from the functions that name them,
//! and `@N` in an import's result makes one) and in `call` arguments and expected results.
//! Inside string and char literals `$` and `@` are plain characters.

mod golden;
mod run;
mod values;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use anyhow::{Context, Result, anyhow, bail, ensure};
use serde::Serialize;
use wasmtime::Engine;
use wasmtime::component::{Component, Type, Val};

use crate::TempDir;
use values::{CaseArgs, CaseValue};

/// A parsed case: its directory and the directives of its `case.txt`.
#[derive(Debug)]
pub struct Case {
    name: String,
    dir: PathBuf,
    lines: Vec<Line>,
}

/// One directive of `case.txt` and where it stands.
#[derive(Debug, Clone, Serialize)]
struct Line {
    /// The line number, from 1.
    line: usize,
    /// The line as written.
    text: String,
    #[serde(flatten)]
    directive: Directive,
}

/// A directive; see the module documentation.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "kebab-case")]
enum Directive {
    World(String),
    StubWasi,
    Flags(Vec<String>),
    ComponentizeFlags(Vec<String>),
    Env(String, String),
    BuildFails(String),
    LacksImport(String),
    Index(String),
    Lock(String),
    Stdin(String),
    RunEnv(String, String),
    RunArgs(Vec<String>),
    Preopen(String),
    Import(Import),
    Call(Call),
    Stdout(String),
    Stderr(String),
}

/// `import <path>(<args>) -> <result>`.
#[derive(Debug, Clone, Serialize)]
struct Import {
    path: String,
    args: CaseArgs,
    /// `None` for `-> _`.
    result: Option<CaseValue>,
}

/// `call <path>(<args>) ...`.
#[derive(Debug, Clone, Serialize)]
struct Call {
    path: String,
    args: CaseArgs,
    expect: Expect,
}

/// What a call must give.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "kebab-case")]
enum Expect {
    Nothing,
    Equals(CaseValue),
    Keep(String),
    Traps(String),
}

impl Directive {
    /// Whether the directive needs the component to run.
    fn needs_a_run(&self) -> bool {
        matches!(
            self,
            Self::LacksImport(_)
                | Self::Stdin(_)
                | Self::RunEnv(..)
                | Self::RunArgs(_)
                | Self::Preopen(_)
                | Self::Import(_)
                | Self::Call(_)
                | Self::Stdout(_)
                | Self::Stderr(_)
                | Self::Lock(_)
        )
    }
}

/// Parses one directive: `word` and the `rest` of its line.
fn parse_directive(word: &str, rest: &str) -> Result<Directive> {
    let words = || -> Result<Vec<String>> {
        ensure!(!rest.is_empty(), "`{word}` needs at least one argument");
        Ok(rest.split_whitespace().map(String::from).collect())
    };
    let one = || -> Result<String> {
        ensure!(!rest.is_empty(), "`{word}` needs an argument");
        Ok(rest.to_string())
    };
    Ok(match word {
        "world" => Directive::World(one()?),
        "stub-wasi" => {
            ensure!(rest.is_empty(), "`stub-wasi` takes no argument");
            Directive::StubWasi
        }
        "flags" => Directive::Flags(words()?),
        "componentize-flags" => Directive::ComponentizeFlags(words()?),
        "env" => {
            let (name, value) = variable(rest)?;
            Directive::Env(name, value)
        }
        "build-fails" => Directive::BuildFails(after_tilde(rest)?),
        "lacks-import" => Directive::LacksImport(one()?),
        "index" => Directive::Index(one()?),
        "lock" => Directive::Lock(after_tilde(rest)?),
        "stdin" => match Val::from_wave(&Type::String, rest) {
            Ok(Val::String(text)) => Directive::Stdin(text),
            _ => bail!("`stdin` needs a WAVE string, like \"héllo\\n\", not `{rest}`"),
        },
        "run-env" => {
            let (name, value) = variable(rest)?;
            Directive::RunEnv(name, value)
        }
        "run-args" => Directive::RunArgs(words()?),
        "preopen" => Directive::Preopen(one()?),
        "import" => {
            let (path, args, tail) = split_call(rest)?;
            let result = tail
                .trim()
                .strip_prefix("->")
                .ok_or_else(|| anyhow!("an import needs `-> <result>` after its arguments"))?
                .trim();
            let result = match result {
                "_" => None,
                value => Some(CaseValue::parse(value)?),
            };
            Directive::Import(Import { path, args, result })
        }
        "call" => {
            let (path, args, tail) = split_call(rest)?;
            let tail = tail.trim();
            let expect = if tail.is_empty() {
                Expect::Nothing
            } else if let Some(value) = tail.strip_prefix("==") {
                Expect::Equals(CaseValue::parse(value)?)
            } else if let Some(name) = tail.strip_prefix("->") {
                let value = CaseValue::parse(name)?;
                let name = value.kept_name().ok_or_else(|| {
                    anyhow!("`-> {}` must name a result: `-> $name`", name.trim())
                })?;
                Expect::Keep(name.to_string())
            } else if let Some(text) = tail.strip_prefix("traps") {
                Expect::Traps(after_tilde(text.trim())?)
            } else {
                bail!("cannot read `{tail}` after the call: expected `==`, `->` or `traps ~`")
            };
            Directive::Call(Call { path, args, expect })
        }
        "stdout" => Directive::Stdout(after_tilde(rest)?),
        "stderr" => Directive::Stderr(after_tilde(rest)?),
        other => bail!("unknown directive `{other}`"),
    })
}

/// `NAME=value`.
fn variable(text: &str) -> Result<(String, String)> {
    let (name, value) = text
        .split_once('=')
        .ok_or_else(|| anyhow!("expected NAME=value, got `{text}`"))?;
    ensure!(!name.is_empty(), "expected NAME=value, got `{text}`");
    Ok((name.to_string(), value.to_string()))
}

/// The text after `~ `, which must not be empty.
fn after_tilde(text: &str) -> Result<String> {
    let text = text
        .strip_prefix('~')
        .ok_or_else(|| anyhow!("expected `~ text`, got `{text}`"))?
        .trim();
    ensure!(!text.is_empty(), "`~` needs a text to look for");
    Ok(text.to_string())
}

/// Splits `<path>(<args>)<tail>`.
fn split_call(text: &str) -> Result<(String, CaseArgs, &str)> {
    let open = text
        .find('(')
        .ok_or_else(|| anyhow!("expected `<path>(<args>)`, got `{text}`"))?;
    let path = text[..open].trim();
    ensure!(
        !path.is_empty() && !path.contains(char::is_whitespace),
        "`{path}` is not a function path"
    );
    let (args, tail) = CaseArgs::parse(&text[open..])?;
    Ok((path.to_string(), args, tail))
}

impl Case {
    /// Reads and parses `dir/case.txt`.
    pub fn read(dir: &Path) -> Result<Self> {
        let path = dir.join("case.txt");
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        Self::parse(dir, &text)
    }

    /// Parses `text` as the `case.txt` of the case in `dir`.
    pub fn parse(dir: &Path, text: &str) -> Result<Self> {
        let mut lines = Vec::new();
        for (index, raw) in text.lines().enumerate() {
            let text = raw.trim();
            if text.is_empty() || text.starts_with('#') {
                continue;
            }
            let (word, rest) = text.split_once(' ').unwrap_or((text, ""));
            let directive = parse_directive(word, rest.trim())
                .with_context(|| format!("case.txt line {}: `{text}`", index + 1))?;
            lines.push(Line {
                line: index + 1,
                text: text.to_string(),
                directive,
            });
        }
        let case = Self {
            name: dir
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
            dir: dir.to_path_buf(),
            lines,
        };
        if case.must_fail_to_build()
            && let Some(line) = case.lines.iter().find(|l| l.directive.needs_a_run())
        {
            bail!(
                "case.txt line {}: `{}` cannot be checked: the build must fail",
                line.line,
                line.text
            );
        }
        Ok(case)
    }

    /// The case's name: its directory's.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether the case's build must fail (it has `build-fails` lines).
    pub fn must_fail_to_build(&self) -> bool {
        self.lines
            .iter()
            .any(|l| matches!(l.directive, Directive::BuildFails(_)))
    }

    /// How the case is built.
    pub fn build_args(&self) -> BuildArgs {
        let mut args = BuildArgs::default();
        for line in &self.lines {
            match &line.directive {
                Directive::World(world) => args.global.extend(["-w".into(), world.clone()]),
                Directive::Flags(flags) => args.global.extend(flags.iter().cloned()),
                Directive::StubWasi => args.componentize.push("--stub-wasi".into()),
                Directive::ComponentizeFlags(flags) => {
                    args.componentize.extend(flags.iter().cloned())
                }
                Directive::Env(name, value) => args.env.push((
                    name.clone(),
                    value.replace("$CASE", &self.dir.to_string_lossy()),
                )),
                _ => {}
            }
        }
        args
    }

    /// Builds the case with the CLI at `cli` and checks every directive: the build error for a
    /// case that must fail to build, else the run in wasmtime.
    pub fn run(&self, cli: &Path) -> Result<()> {
        let out = TempDir::new()?;
        let output = out.path().join("out.wasm");
        let server = self.index_server()?;
        let (build_dir, args) = self.prepare_build(server.as_ref(), &out.path().join("app"))?;
        let lock = build_dir.join("pylock.componentize-py.toml");
        let built = build_with(&build_dir, cli, &args, &output)?;
        let stderr = String::from_utf8_lossy(&built.stderr);
        if self.must_fail_to_build() {
            ensure!(!built.status.success(), "the build succeeded but must fail");
            for line in &self.lines {
                if let Directive::BuildFails(expected) = &line.directive {
                    ensure!(
                        stderr.contains(expected.as_str()),
                        "case.txt line {}: the build error does not contain `{expected}`:\n{stderr}",
                        line.line
                    );
                }
            }
            ensure!(
                !output.exists(),
                "a failed build wrote {}",
                output.display()
            );
            ensure!(!lock.exists(), "a failed build wrote {}", lock.display());
            return Ok(());
        }
        ensure!(built.status.success(), "the build failed:\n{stderr}");
        if let Some(server) = &server {
            self.check_lock(&lock)?;
            server.take_log();
            let again = out.path().join("again.wasm");
            let rebuilt = build_with(&build_dir, cli, &args, &again)?;
            ensure!(
                rebuilt.status.success(),
                "the second build failed:\n{}",
                String::from_utf8_lossy(&rebuilt.stderr)
            );
            let requests = server.take_log();
            ensure!(
                requests.is_empty(),
                "the build with the lock fetched {requests:?}"
            );
            ensure!(
                std::fs::read(&again)? == std::fs::read(&output)?,
                "the build with the lock gave other bytes"
            );
        }
        self.run_component(&output)
    }

    /// The local index a case with `index` is built against, started.
    pub fn index_server(&self) -> Result<Option<crate::index::IndexServer>> {
        self.index_dir()
            .map(|dir| crate::index::IndexServer::start(&dir))
            .transpose()
    }

    /// The folder of packages of the case's `index` line.
    pub fn index_dir(&self) -> Option<PathBuf> {
        self.lines.iter().find_map(|line| match &line.directive {
            Directive::Index(dir) => Some(self.dir.join(expand_cache(dir))),
            _ => None,
        })
    }

    /// Where and with what arguments the case is built: in its own directory, or, against
    /// `server` (its [`Case::index_server`]), in a copy of it at `scratch` (the build writes its
    /// lock there).
    pub fn prepare_build(
        &self,
        server: Option<&crate::index::IndexServer>,
        scratch: &Path,
    ) -> Result<(PathBuf, BuildArgs)> {
        let mut args = self.build_args();
        let Some(server) = server else {
            return Ok((self.dir.clone(), args));
        };
        args.componentize
            .extend(["--index-url".into(), server.url()]);
        copy_dir(&self.dir, scratch, &["golden-bindings"])?;
        Ok((scratch.to_path_buf(), args))
    }

    /// Checks the `lock ~` lines against the lock the build wrote.
    fn check_lock(&self, lock: &Path) -> Result<()> {
        let text = std::fs::read_to_string(lock)
            .with_context(|| format!("the build wrote no {}", lock.display()))?;
        for line in &self.lines {
            if let Directive::Lock(expected) = &line.directive {
                ensure!(
                    text.contains(expected.as_str()),
                    "case.txt line {}: the lock does not contain `{expected}`:\n{text}",
                    line.line
                );
            }
        }
        Ok(())
    }

    /// Checks the directives of the case on the component at `wasm`, already built.
    pub fn run_component(&self, wasm: &Path) -> Result<()> {
        let component = Component::from_file(engine(), wasm)
            .map_err(anyhow::Error::from)
            .with_context(|| format!("loading {}", wasm.display()))?;
        run::run(&component, &self.lines)
    }
}

/// The engine every case runs in.
fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(Engine::default)
}

/// The command line and environment a case is built with, from its directives.
#[derive(Debug, Clone, Default, Serialize)]
pub struct BuildArgs {
    /// Flags before `componentize`.
    pub global: Vec<String>,
    /// Flags after `componentize app`.
    pub componentize: Vec<String>,
    /// Environment variables.
    pub env: Vec<(String, String)>,
}

/// Builds the app in `dir` (world `world`, if given) into `output` with the CLI at `cli`, with
/// `--stub-wasi` when `stub_wasi`.
pub fn build(
    dir: &Path,
    cli: &Path,
    world: Option<&str>,
    stub_wasi: bool,
    output: &Path,
) -> Result<std::process::Output> {
    let mut args = BuildArgs::default();
    if let Some(world) = world {
        args.global.extend(["-w".into(), world.into()]);
    }
    if stub_wasi {
        args.componentize.push("--stub-wasi".into());
    }
    build_with(dir, cli, &args, output)
}

/// Builds the app in `dir` into `output` with the CLI at `cli`, as `args` say.
pub fn build_with(
    dir: &Path,
    cli: &Path,
    args: &BuildArgs,
    output: &Path,
) -> Result<std::process::Output> {
    let mut command = cli_command(dir, cli, args);
    command
        .args(["componentize", "app", "-o"])
        .arg(output)
        .args(&args.componentize);
    command
        .output()
        .with_context(|| format!("running {}", cli.display()))
}

/// The CLI at `cli`, run in `dir` with `args`' environment and global flags (and `-q`), as both
/// `componentize` and `bindings` start.
fn cli_command(dir: &Path, cli: &Path, args: &BuildArgs) -> Command {
    let mut command = Command::new(cli);
    command
        .current_dir(dir)
        .env_remove("VIRTUAL_ENV")
        .envs(args.env.iter().map(|(k, v)| (k, v)))
        .arg("-q")
        .args(&args.global);
    command
}

/// `dir` with `$CACHE` replaced by the cache root (`$COMPONENTIZE_PY_CACHE` or
/// `~/.cache/componentize-py`).
fn expand_cache(dir: &str) -> String {
    let root = std::env::var("COMPONENTIZE_PY_CACHE").unwrap_or_else(|_| {
        format!(
            "{}/.cache/componentize-py",
            std::env::var("HOME").unwrap_or_default()
        )
    });
    dir.replace("$CACHE", &root)
}

/// Copies the directory `from` to `to`, leaving out the top-level entries named in `skip`.
fn copy_dir(from: &Path, to: &Path, skip: &[&str]) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        if skip.iter().any(|s| name == *s) || name == "__pycache__" {
            continue;
        }
        let path = entry.path();
        if path.is_dir() {
            copy_dir(&path, &to.join(&name), &[])?;
        } else {
            std::fs::copy(&path, to.join(&name))?;
        }
    }
    Ok(())
}

/// Every case directory of `tests/cases/`, sorted by name.
fn all_case_dirs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../cases");
    let root = root.canonicalize().unwrap_or(root);
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("reading {}: {e}", root.display()))
        .map(|e| e.unwrap().path())
        .filter(|path| path.is_dir())
        .collect();
    cases.sort();
    assert!(!cases.is_empty(), "no cases in {}", root.display());
    cases
}

/// The case directories of `tests/cases/`, sorted by name; only those whose name contains
/// `$COMPONENTIZE_PY_CASES` (when set), to run a few while working on them.
pub fn case_dirs() -> Vec<PathBuf> {
    let only = std::env::var("COMPONENTIZE_PY_CASES").unwrap_or_default();
    all_case_dirs()
        .into_iter()
        .filter(|path| path.file_name().unwrap().to_string_lossy().contains(&only))
        .collect()
}

/// Every case of `tests/cases/` (unfiltered), parsed, as JSON: an array of `{name, dir, build:
/// {global, componentize, env}, directives: [{line, text, kind, value}]}`, where `kind` is the
/// directive's word and `value` its parsed arguments (WAVE values as written).
pub fn corpus_json() -> Result<String> {
    #[derive(Serialize)]
    struct Exported<'a> {
        name: &'a str,
        dir: &'a Path,
        build: BuildArgs,
        directives: &'a [Line],
    }
    let cases = all_case_dirs()
        .iter()
        .map(|dir| Case::read(dir).with_context(|| format!("case {}", dir.display())))
        .collect::<Result<Vec<_>>>()?;
    let exported: Vec<Exported> = cases
        .iter()
        .map(|case| Exported {
            name: &case.name,
            dir: &case.dir,
            build: case.build_args(),
            directives: &case.lines,
        })
        .collect();
    Ok(serde_json::to_string_pretty(&exported)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Case> {
        Case::parse(Path::new("/cases/self"), text)
    }

    #[test]
    fn every_directive_parses() {
        let case = parse(
            r#"
            # a comment
            world w
            flags --features a,b -d other
            componentize-flags -m sdk=sdk
            env VIRTUAL_ENV=$CASE/venv
            stdin "héllo\n"
            stdin "second"
            run-env GREETING=a=b
            run-args app.py --loud
            preopen /scratch
            import test:f/files#[method]file.size(@3) -> 7
            import log("it's") -> _
            call test:res/api#[constructor]counter(5) -> $a
            call test:res/api#[method]counter.get($a) == 5
            call boom() traps ~ KeyError: 'missing'
            call wasi:cli/run@0.2.12#run() == ok
            call quiet()
            stdout ~ héllo, wörld
            stderr ~ Traceback
            "#,
        )
        .unwrap();
        assert_eq!(case.name(), "self");
        assert_eq!(case.lines.len(), 18);
        let args = case.build_args();
        assert_eq!(args.global, ["-w", "w", "--features", "a,b", "-d", "other"]);
        assert_eq!(args.componentize, ["-m", "sdk=sdk"]);
        assert_eq!(
            args.env,
            [("VIRTUAL_ENV".to_string(), "/cases/self/venv".to_string())]
        );
        let json = serde_json::to_value(&case.lines).unwrap();
        assert_eq!(json[4]["kind"], "stdin");
        assert_eq!(json[4]["value"], "héllo\n");
        assert_eq!(json[6]["value"], serde_json::json!(["GREETING", "a=b"]));
        assert_eq!(json[9]["value"]["args"], "@3");
        assert_eq!(json[10]["value"]["result"], serde_json::Value::Null);
        assert_eq!(json[11]["value"]["expect"]["kind"], "keep");
        assert_eq!(json[11]["value"]["expect"]["value"], "a");
        assert_eq!(json[13]["value"]["expect"]["value"], "KeyError: 'missing'");
        assert_eq!(json[14]["line"], 17);
        assert_eq!(json[14]["value"]["path"], "wasi:cli/run@0.2.12#run");
        assert_eq!(json[14]["value"]["expect"]["value"], "ok");
    }

    #[test]
    fn malformed_lines_name_their_line() {
        for (text, message) in [
            ("world w\nfrobnicate", "line 2: `frobnicate`"),
            ("call f(1) = 2", "cannot read `= 2`"),
            ("call f(1) -> a", "must name a result"),
            ("call f(1, \"x) == 1", "cannot read"),
            ("import f(1)", "needs `-> <result>`"),
            ("stdin héllo", "needs a WAVE string"),
            ("stdout hello", "expected `~ text`"),
            ("stderr ~", "needs a text"),
            ("run-env NOVALUE", "expected NAME=value"),
            ("stub-wasi please", "takes no argument"),
            ("call (1)", "is not a function path"),
            (
                "build-fails ~ oops\ncall f() == 1",
                "line 2: `call f() == 1` cannot be checked: the build must fail",
            ),
        ] {
            let error = format!("{:#}", parse(text).unwrap_err());
            assert!(error.contains(message), "{text}: {error}");
        }
    }

    #[test]
    fn every_corpus_case_parses_and_exports() {
        let json: serde_json::Value = serde_json::from_str(&corpus_json().unwrap()).unwrap();
        let cases = json.as_array().unwrap();
        assert_eq!(cases.len(), all_case_dirs().len());
        let lazy = cases.iter().find(|c| c["name"] == "lazy-imports").unwrap();
        let last = lazy["directives"].as_array().unwrap().last().unwrap();
        assert_eq!(last["kind"], "call");
        assert_eq!(last["value"]["path"], "use-helper");
    }

    /// A component in WAT: `answer() -> u32` gives 42, `echo(u32) -> u32` its argument, and
    /// `boom()` traps.
    const COMPONENT: &str = r#"
        (component
          (core module $m
            (func (export "answer") (result i32) i32.const 42)
            (func (export "echo") (param i32) (result i32) local.get 0)
            (func (export "boom") unreachable))
          (core instance $i (instantiate $m))
          (func (export "answer") (result u32) (canon lift (core func $i "answer")))
          (func (export "echo") (param "x" u32) (result u32) (canon lift (core func $i "echo")))
          (func (export "boom") (canon lift (core func $i "boom"))))
    "#;

    fn run_wat(text: &str) -> Result<()> {
        let component = Component::new(engine(), COMPONENT)?;
        run::run(&component, &parse(text)?.lines)
    }

    /// Asserts that running `text` on [`COMPONENT`] fails with each of `messages`.
    fn assert_fails(text: &str, messages: &[&str]) {
        let error = format!("{:#}", run_wat(text).expect_err(text));
        for message in messages {
            assert!(error.contains(message), "{text}: {error}");
        }
    }

    #[test]
    fn a_wrong_expectation_after_a_trap_fails() {
        assert_fails(
            "call boom() traps ~ unreachable\ncall answer() == 41",
            &["line 2", "returned 42, expected 41"],
        );
    }

    #[test]
    fn a_right_expectation_after_a_trap_passes() {
        run_wat(
            "call answer() == 42\ncall boom() traps ~ unreachable\ncall answer() == 42\n\
             call boom() traps ~ unreachable\ncall echo(7) == 7",
        )
        .unwrap();
    }

    #[test]
    fn a_trap_that_was_not_expected_fails() {
        assert_fails("call boom()", &["line 1", "trapped"]);
        assert_fails("call answer() traps ~ x", &["must trap"]);
        assert_fails(
            "call boom() traps ~ KeyError",
            &["trapped without `KeyError`"],
        );
    }

    #[test]
    fn a_result_kept_before_a_trap_is_gone_after_it() {
        run_wat("call answer() -> $a\ncall echo($a) == 42").unwrap();
        assert_fails(
            "call answer() -> $a\ncall boom() traps ~ unreachable\ncall echo($a)",
            &[
                "line 3",
                "`$a` was kept in the instance that trapped at line 2",
            ],
        );
        assert_fails("call echo($b)", &["no `$b` was kept"]);
    }

    #[test]
    fn unknown_exports_fail() {
        assert_fails("call nothing() == 1", &["exports no function `nothing`"]);
    }
}
