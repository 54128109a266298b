//! The test corpus: each `tests/cases/<name>/` holds a WIT world (`wit/`), a Python app (`app.py`
//! and friends) and `case.txt`, which says how to build it and what running it must give.
//!
//! `case.txt` has one directive per line (`#` starts a comment). Values are WAVE:
//!
//! ```text
//! world <name>                         -w for the build
//! stub-wasi                            build with -s; the component must import no WASI
//! flags <args>                         more global flags (before `componentize`)
//! componentize-flags <args>            more `componentize` flags (after the app name)
//! env <NAME>=<value>                   an environment variable for the build; `$CASE` in the
//!                                      value is the case directory
//! lacks-import <name>                  the component must not import <name>
//! build-fails ~ <text>                 the build must fail, naming <text>, and write no output
//! import <path>(<args>) -> <result>    what the host answers when the component calls an import
//! call <path>(<args>) == <result>      call an export and compare its result
//! call <path>(<args>) -> $<name>       call an export and keep its result (e.g. a resource)
//! call <path>(<args>)                  call an export, ignore its result
//! call <path>(<args>) traps ~ <text>   the call must trap with <text> in the trap or on stderr
//! stdout ~ <text>                      what the component printed so far contains <text>
//! ```
//!
//! A `<path>` is a world-level function name, or `<interface>#<function>` (for example
//! `test:types/api#echo` or `test:res/api#[method]counter.get`). Arguments are WAVE values or
//! `$<name>` for a kept result. In `import` lines, `@N` is a host resource with rep N: imported
//! resources are defined by the host from the functions that name them.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, anyhow, bail, ensure};
use wasmtime::component::{Component, Func, Linker, ResourceTable, Type, Val};
use wasmtime::{Engine, Store};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

/// One directive of `case.txt`.
#[derive(Debug, Clone)]
enum Directive {
    World(String),
    StubWasi,
    Flags(Vec<String>),
    ComponentizeFlags(Vec<String>),
    Env(String, String),
    LacksImport(String),
    BuildFails(String),
    Import {
        path: String,
        args: String,
        result: String,
    },
    Call {
        path: String,
        args: String,
        expect: Expect,
    },
    Stdout(String),
}

#[derive(Debug, Clone)]
enum Expect {
    Nothing,
    Equals(String),
    Keep(String),
    Traps(String),
}

fn parse(text: &str) -> Result<Vec<Directive>> {
    let mut directives = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
        let rest = rest.trim();
        let directive = match word {
            "world" => Directive::World(rest.into()),
            "stub-wasi" => Directive::StubWasi,
            "flags" => Directive::Flags(rest.split_whitespace().map(String::from).collect()),
            "componentize-flags" => {
                Directive::ComponentizeFlags(rest.split_whitespace().map(String::from).collect())
            }
            "env" => {
                let (name, value) = rest
                    .split_once('=')
                    .ok_or_else(|| anyhow!("line {}: env needs NAME=value", n + 1))?;
                Directive::Env(name.into(), value.into())
            }
            "lacks-import" => Directive::LacksImport(rest.into()),
            "build-fails" => Directive::BuildFails(after_tilde(rest)?),
            "stdout" => Directive::Stdout(after_tilde(rest)?),
            "import" => {
                let (call, result) = rest
                    .split_once(" -> ")
                    .ok_or_else(|| anyhow!("import needs `-> result`"))?;
                let (path, args) = split_call(call)?;
                Directive::Import {
                    path,
                    args,
                    result: result.trim().into(),
                }
            }
            "call" => {
                let close = matching_paren(rest)?;
                let (path, args) = split_call(&rest[..=close])?;
                let tail = rest[close + 1..].trim();
                let expect = if tail.is_empty() {
                    Expect::Nothing
                } else if let Some(value) = tail.strip_prefix("==") {
                    Expect::Equals(value.trim().into())
                } else if let Some(name) = tail.strip_prefix("->") {
                    Expect::Keep(name.trim().trim_start_matches('$').into())
                } else if let Some(text) = tail.strip_prefix("traps") {
                    Expect::Traps(after_tilde(text.trim())?)
                } else {
                    bail!("line {}: cannot read `{tail}`", n + 1)
                };
                Directive::Call { path, args, expect }
            }
            other => bail!("line {}: unknown directive `{other}`", n + 1),
        };
        directives.push(directive);
    }
    Ok(directives)
}

fn after_tilde(text: &str) -> Result<String> {
    Ok(text
        .strip_prefix('~')
        .ok_or_else(|| anyhow!("expected `~ text`, got `{text}`"))?
        .trim()
        .to_string())
}

/// The index of the `)` that closes the first `(` of `text`.
fn matching_paren(text: &str) -> Result<usize> {
    let open = text
        .find('(')
        .ok_or_else(|| anyhow!("no `(` in `{text}`"))?;
    let mut depth = 0;
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in text.char_indices().skip(open) {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '(' | '[' | '{' if !quoted => depth += 1,
            ')' | ']' | '}' if !quoted => {
                depth -= 1;
                if depth == 0 {
                    return Ok(i);
                }
            }
            _ => {}
        }
    }
    bail!("unbalanced parentheses in `{text}`")
}

/// Splits `path(args)` into the path and the argument text.
fn split_call(text: &str) -> Result<(String, String)> {
    let text = text.trim();
    let close = matching_paren(text)?;
    let open = text.find('(').unwrap();
    Ok((
        text[..open].trim().into(),
        text[open + 1..close].trim().into(),
    ))
}

/// Splits WAVE arguments at top-level commas.
fn split_args(text: &str) -> Vec<String> {
    let mut args = Vec::new();
    let (mut depth, mut quoted, mut escaped, mut start) = (0, false, false, 0);
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' | '\'' => quoted = !quoted,
            '(' | '[' | '{' if !quoted => depth += 1,
            ')' | ']' | '}' if !quoted => depth -= 1,
            ',' if depth == 0 && !quoted => {
                args.push(text[start..i].trim().to_string());
                start = i + 1;
            }
            _ => {}
        }
    }
    if !text[start..].trim().is_empty() {
        args.push(text[start..].trim().to_string());
    }
    args
}

/// The store's state: WASI with captured output.
struct Host {
    wasi: WasiCtx,
    table: ResourceTable,
}

impl WasiView for Host {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
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

/// The command line and environment a case is built with, from its directives.
#[derive(Debug, Clone, Default)]
pub struct BuildArgs {
    /// Flags before `componentize`.
    pub global: Vec<String>,
    /// Flags after `componentize app`.
    pub componentize: Vec<String>,
    /// Environment variables.
    pub env: Vec<(String, String)>,
}

impl BuildArgs {
    /// How the case in `dir` is built.
    pub fn of_case(dir: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(dir.join("case.txt")).context("reading case.txt")?;
        Ok(Self::from_directives(dir, &parse(&text)?))
    }

    fn from_directives(dir: &Path, directives: &[Directive]) -> Self {
        let mut args = Self::default();
        for directive in directives {
            match directive {
                Directive::World(world) => args.global.extend(["-w".into(), world.clone()]),
                Directive::Flags(flags) => args.global.extend(flags.iter().cloned()),
                Directive::StubWasi => args.componentize.push("--stub-wasi".into()),
                Directive::ComponentizeFlags(flags) => {
                    args.componentize.extend(flags.iter().cloned())
                }
                Directive::Env(name, value) => args
                    .env
                    .push((name.clone(), value.replace("$CASE", &dir.to_string_lossy()))),
                _ => {}
            }
        }
        args
    }
}

/// Builds the app in `dir` into `output` with the CLI at `cli`, as `args` say.
pub fn build_with(
    dir: &Path,
    cli: &Path,
    args: &BuildArgs,
    output: &Path,
) -> Result<std::process::Output> {
    let mut command = Command::new(cli);
    command
        .current_dir(dir)
        .env_remove("VIRTUAL_ENV")
        .envs(args.env.iter().map(|(k, v)| (k, v)))
        .arg("-q")
        .args(&args.global)
        .args(["componentize", "app", "-o"])
        .arg(output)
        .args(&args.componentize);
    command
        .output()
        .with_context(|| format!("running {}", cli.display()))
}

/// The case directories of `tests/cases/`, sorted by name; only those whose name contains
/// `$COMPONENTIZE_PY_CASES` (when set), to run a few while working on them.
pub fn case_dirs() -> Vec<std::path::PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../cases");
    let only = std::env::var("COMPONENTIZE_PY_CASES").unwrap_or_default();
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("reading {}: {e}", root.display()))
        .map(|e| e.unwrap().path())
        .filter(|path| path.file_name().unwrap().to_string_lossy().contains(&only))
        .collect();
    cases.sort();
    assert!(!cases.is_empty(), "no cases in {}", root.display());
    cases
}

/// Builds and runs the case in `dir` with the CLI at `cli`.
pub fn run_case(dir: &Path, cli: &Path) -> Result<()> {
    let text = std::fs::read_to_string(dir.join("case.txt")).context("reading case.txt")?;
    let directives = parse(&text)?;
    let out_dir = std::env::temp_dir().join(format!(
        "componentize-py-case-{}-{}",
        std::process::id(),
        dir.file_name().unwrap().to_string_lossy()
    ));
    std::fs::create_dir_all(&out_dir)?;
    let output = out_dir.join("out.wasm");
    let _ = std::fs::remove_file(&output);
    let args = BuildArgs::from_directives(dir, &directives);
    let built = build_with(dir, cli, &args, &output)?;
    let stderr = String::from_utf8_lossy(&built.stderr).into_owned();
    let failures: Vec<&String> = directives
        .iter()
        .filter_map(|d| match d {
            Directive::BuildFails(text) => Some(text),
            _ => None,
        })
        .collect();
    if !failures.is_empty() {
        ensure!(!built.status.success(), "the build succeeded but must fail");
        for expected in failures {
            ensure!(
                stderr.contains(expected.as_str()),
                "the build error does not contain `{expected}`:\n{stderr}"
            );
        }
        ensure!(
            !output.exists(),
            "a failed build wrote {}",
            output.display()
        );
        return Ok(());
    }
    ensure!(built.status.success(), "the build failed:\n{stderr}");
    let result = run_component(&output, &directives);
    let _ = std::fs::remove_dir_all(&out_dir);
    result
}

fn run_component(path: &Path, directives: &[Directive]) -> Result<()> {
    let engine = Engine::default();
    let component = Component::from_file(&engine, path)?;
    if directives.iter().any(|d| matches!(d, Directive::StubWasi)) {
        let ty = component.component_type();
        let wasi: Vec<String> = ty
            .imports(&engine)
            .map(|(name, _)| name.to_string())
            .filter(|n| n.starts_with("wasi:"))
            .collect();
        ensure!(
            wasi.is_empty(),
            "built with --stub-wasi but imports {}",
            wasi.join(", ")
        );
    }
    for directive in directives {
        if let Directive::LacksImport(name) = directive {
            let ty = component.component_type();
            let mut imports = ty.imports(&engine).map(|(import, _)| import.to_string());
            ensure!(
                !imports.any(|import| import == *name),
                "the component imports {name}"
            );
        }
    }
    let mut linker: Linker<Host> = Linker::new(&engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
    define_imports(&mut linker, directives)?;
    let stdout = MemoryOutputPipe::new(1 << 20);
    let stderr = MemoryOutputPipe::new(1 << 20);
    let wasi = WasiCtxBuilder::new()
        .stdout(stdout.clone())
        .stderr(stderr.clone())
        .build();
    let mut store = Store::new(
        &engine,
        Host {
            wasi,
            table: ResourceTable::new(),
        },
    );
    let instance = linker.instantiate(&mut store, &component)?;
    let mut kept: HashMap<String, Val> = HashMap::new();
    for directive in directives {
        match directive {
            Directive::Call { path, args, expect } => {
                let func = export(&instance, &mut store, path)?;
                let ty = func.ty(&store);
                let param_types: Vec<Type> = ty.params().map(|(_, t)| t).collect();
                let texts = split_args(args);
                ensure!(
                    texts.len() == param_types.len(),
                    "{path} takes {} arguments",
                    param_types.len()
                );
                let params = texts
                    .iter()
                    .zip(&param_types)
                    .map(|(text, ty)| match text.strip_prefix('$') {
                        Some(name) => kept
                            .get(name)
                            .cloned()
                            .ok_or_else(|| anyhow!("no kept value ${name}")),
                        None => Val::from_wave(ty, text)
                            .map_err(|e| anyhow!("argument `{text}` of {path}: {e}")),
                    })
                    .collect::<Result<Vec<_>>>()?;
                let result_types: Vec<Type> = ty.results().collect();
                let mut results = vec![Val::Bool(false); result_types.len()];
                let called = func.call(&mut store, &params, &mut results);
                let printed = String::from_utf8_lossy(&stderr.contents()).into_owned();
                match (expect, called) {
                    (Expect::Traps(text), Err(error)) => {
                        let message = format!("{error:?}");
                        ensure!(
                            message.contains(text.as_str()) || printed.contains(text.as_str()),
                            "{path} trapped without `{text}`:\n{message}\nstderr:\n{printed}"
                        );
                        return Ok(());
                    }
                    (Expect::Traps(text), Ok(())) => {
                        bail!("{path} returned but must trap with `{text}`")
                    }
                    (_, Err(error)) => bail!("{path} trapped: {error:?}\nstderr:\n{printed}"),
                    (Expect::Nothing, Ok(())) => {}
                    (Expect::Keep(name), Ok(())) => {
                        kept.insert(
                            name.clone(),
                            results
                                .pop()
                                .ok_or_else(|| anyhow!("{path} returns nothing"))?,
                        );
                    }
                    (Expect::Equals(text), Ok(())) => {
                        let ty = result_types
                            .first()
                            .ok_or_else(|| anyhow!("{path} returns nothing"))?;
                        let want = Val::from_wave(ty, text)
                            .map_err(|e| anyhow!("expected result `{text}`: {e}"))?;
                        let wave =
                            |v: &Val| canonical(v).to_wave().unwrap_or_else(|_| format!("{v:?}"));
                        let (got, want) = (wave(&results[0]), wave(&want));
                        ensure!(
                            got == want,
                            "{path}({args}) returned {got}, expected {want}"
                        );
                    }
                }
            }
            Directive::Stdout(text) => {
                let printed = String::from_utf8_lossy(&stdout.contents()).into_owned();
                ensure!(
                    printed.contains(text.as_str()),
                    "stdout does not contain `{text}`:\n{printed}"
                );
            }
            _ => {}
        }
    }
    Ok(())
}

/// `value` with flags in a fixed order, so equal values print equally.
fn canonical(value: &Val) -> Val {
    let boxed = |v: &Option<Box<Val>>| v.as_ref().map(|v| Box::new(canonical(v)));
    match value {
        Val::Flags(names) => {
            let mut names = names.clone();
            names.sort();
            Val::Flags(names)
        }
        Val::List(items) => Val::List(items.iter().map(canonical).collect()),
        Val::Tuple(items) => Val::Tuple(items.iter().map(canonical).collect()),
        Val::Record(fields) => Val::Record(
            fields
                .iter()
                .map(|(n, v)| (n.clone(), canonical(v)))
                .collect(),
        ),
        Val::Variant(case, payload) => Val::Variant(case.clone(), boxed(payload)),
        Val::Option(payload) => Val::Option(boxed(payload)),
        Val::Result(Ok(payload)) => Val::Result(Ok(boxed(payload))),
        Val::Result(Err(payload)) => Val::Result(Err(boxed(payload))),
        other => other.clone(),
    }
}

/// The exported function at `path` (`name` or `interface#name`).
fn export(
    instance: &wasmtime::component::Instance,
    store: &mut Store<Host>,
    path: &str,
) -> Result<Func> {
    let (interface, name) = match path.split_once('#') {
        Some((interface, name)) => (Some(interface), name),
        None => (None, path),
    };
    let parent = match interface {
        Some(interface) => Some(
            instance
                .get_export_index(&mut *store, None, interface)
                .ok_or_else(|| anyhow!("the component exports no `{interface}`"))?,
        ),
        None => None,
    };
    let index = instance
        .get_export_index(&mut *store, parent.as_ref(), name)
        .ok_or_else(|| anyhow!("the component exports no function `{path}`"))?;
    instance
        .get_func(&mut *store, index)
        .ok_or_else(|| anyhow!("`{path}` is not a function"))
}

/// Host answers for the imports of one interface: function name → (arguments, result) pairs.
type Answers = HashMap<String, Vec<(String, String)>>;

/// The host side of an imported resource: its rep is what `@N` names in `case.txt`.
struct HostRep;

/// The case-file text of a value: WAVE, or `@rep` for a host resource (`[@1,@2]` for a list).
fn value_text(
    store: &mut wasmtime::StoreContextMut<'_, Host>,
    value: &Val,
) -> wasmtime::Result<String> {
    match value {
        Val::Resource(resource) => Ok(format!(
            "@{}",
            resource.try_into_resource::<HostRep>(&mut *store)?.rep()
        )),
        Val::List(items) if items.iter().any(|v| matches!(v, Val::Resource(_))) => {
            let items = items
                .iter()
                .map(|v| value_text(store, v))
                .collect::<wasmtime::Result<Vec<_>>>()?;
            Ok(format!("[{}]", items.join(",")))
        }
        other => Ok(canonical(other).to_wave()?),
    }
}

/// Parses a case-file value of type `ty`: `@rep` makes a new host resource.
fn parse_value(
    store: &mut wasmtime::StoreContextMut<'_, Host>,
    ty: &Type,
    text: &str,
) -> wasmtime::Result<Val> {
    match text.strip_prefix('@') {
        Some(rep) => {
            let resource = wasmtime::component::Resource::<HostRep>::new_own(rep.parse()?);
            Ok(Val::Resource(resource.try_into_resource_any(&mut *store)?))
        }
        None => Val::from_wave(ty, text),
    }
}

/// Defines every `import` directive's function, and the host resources they name (from
/// `[constructor]R`, `[method]R.f` and `[static]R.f`), answering from the directives.
fn define_imports(linker: &mut Linker<Host>, directives: &[Directive]) -> Result<()> {
    // interface (None: the world) → function name → answers
    let mut by_interface: HashMap<Option<String>, Answers> = HashMap::new();
    for d in directives {
        if let Directive::Import { path, args, result } = d {
            let (interface, name) = match path.split_once('#') {
                Some((interface, name)) => (Some(interface.to_string()), name.to_string()),
                None => (None, path.clone()),
            };
            by_interface
                .entry(interface)
                .or_default()
                .entry(name)
                .or_default()
                .push((args.clone(), result.clone()));
        }
    }
    for (interface, functions) in by_interface {
        let mut instance = match &interface {
            Some(interface) => linker.instance(interface)?,
            None => linker.root(),
        };
        let mut resources: Vec<&str> = functions
            .keys()
            .filter_map(|name| {
                let rest = name.strip_prefix('[')?.split_once(']')?.1;
                Some(rest.split('.').next().unwrap_or(rest))
            })
            .collect();
        resources.sort();
        resources.dedup();
        for resource in resources {
            instance.resource(
                resource,
                wasmtime::component::ResourceType::host::<HostRep>(),
                |_, _| Ok(()),
            )?;
        }
        for (name, answers) in functions {
            let path = match &interface {
                Some(interface) => format!("{interface}#{name}"),
                None => name.clone(),
            };
            let answer = move |mut store: wasmtime::StoreContextMut<'_, Host>,
                               ty: wasmtime::component::types::ComponentFunc,
                               params: &[Val],
                               results: &mut [Val]|
                  -> wasmtime::Result<()> {
                let got = params
                    .iter()
                    .map(|v| value_text(&mut store, v))
                    .collect::<wasmtime::Result<Vec<_>>>()?;
                let param_types: Vec<Type> = ty.params().map(|(_, t)| t).collect();
                for (args, result) in &answers {
                    let expected: Vec<String> = split_args(args)
                        .iter()
                        .zip(&param_types)
                        .map(|(text, ty)| match text.contains('@') {
                            true => Ok(text.replace(' ', "")),
                            false => Ok::<_, wasmtime::Error>(
                                canonical(&Val::from_wave(ty, text)?).to_wave()?,
                            ),
                        })
                        .collect::<wasmtime::Result<_>>()?;
                    if expected == got {
                        if let (Some(slot), Some(ty)) = (results.first_mut(), ty.results().next()) {
                            *slot = parse_value(&mut store, &ty, result)?;
                        }
                        return Ok(());
                    }
                }
                Err(wasmtime::format_err!(
                    "unexpected import call {path}({})",
                    got.join(", ")
                ))
            };
            instance.func_new(&name, answer)?;
        }
    }
    Ok(())
}
