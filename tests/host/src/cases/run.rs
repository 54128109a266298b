//! Runs a case's directives on a built component in wasmtime: one store and instance at a time,
//! a fresh one after each call that traps as expected.

use std::collections::HashMap;

use anyhow::{Context, Result, anyhow, bail, ensure};
use wasmtime::component::types::ComponentFunc;
use wasmtime::component::{
    Component, Func, Instance, Linker, Resource, ResourceAny, ResourceTable, ResourceType, Type,
    Val,
};
use wasmtime::{AsContextMut, Store, StoreContextMut};
use wasmtime_wasi::p2::pipe::{MemoryInputPipe, MemoryOutputPipe};
use wasmtime_wasi::{FsPerms, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

use super::values::{CaseArgs, CaseValue, Handle, comparable};
use super::{Call, Directive, Expect, Import, Line};
use crate::TempDir;

/// The store's state: WASI and the resource table.
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

/// The host side of an imported resource: its rep is what `@N` names in `case.txt`.
struct HostRep;

/// Checks `lines` on `component`; the error names the line that failed.
pub(super) fn run(component: &Component, lines: &[Line]) -> Result<()> {
    check_imports(component, lines)?;
    let mut linker = Linker::new(component.engine());
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
    define_imports(&mut linker, lines)?;
    let mut session = Session::new(component, &linker, Io::new(lines)?)?;
    for line in lines {
        session
            .check(&line.directive, line.line)
            .with_context(|| format!("case.txt line {}: `{}`", line.line, line.text))?;
    }
    Ok(())
}

/// The `stub-wasi` and `lacks-import` checks, on the component's type.
fn check_imports(component: &Component, lines: &[Line]) -> Result<()> {
    let engine = component.engine();
    let imports: Vec<String> = component
        .component_type()
        .imports(engine)
        .map(|(name, _)| name.to_string())
        .collect();
    for line in lines {
        match &line.directive {
            Directive::StubWasi => {
                let wasi: Vec<&str> = imports
                    .iter()
                    .map(String::as_str)
                    .filter(|name| name.starts_with("wasi:"))
                    .collect();
                ensure!(
                    wasi.is_empty(),
                    "built with --stub-wasi but imports {}",
                    wasi.join(", ")
                );
            }
            Directive::LacksImport(name) => ensure!(
                !imports.contains(name),
                "case.txt line {}: the component imports {name}",
                line.line
            ),
            _ => {}
        }
    }
    Ok(())
}

/// What every instance of one run shares: stdio, environment, arguments and preopened
/// directories.
struct Io {
    stdin: MemoryInputPipe,
    stdout: MemoryOutputPipe,
    stderr: MemoryOutputPipe,
    env: Vec<(String, String)>,
    args: Vec<String>,
    preopens: Vec<(TempDir, String)>,
}

impl Io {
    fn new(lines: &[Line]) -> Result<Self> {
        let (mut stdin, mut env, mut args, mut preopens) =
            (String::new(), Vec::new(), Vec::new(), Vec::new());
        for line in lines {
            match &line.directive {
                Directive::Stdin(text) => stdin.push_str(text),
                Directive::RunEnv(name, value) => env.push((name.clone(), value.clone())),
                Directive::RunArgs(words) => args.clone_from(words),
                Directive::Preopen(guest) => preopens.push((TempDir::new()?, guest.clone())),
                _ => {}
            }
        }
        Ok(Self {
            stdin: MemoryInputPipe::new(stdin.into_bytes()),
            stdout: MemoryOutputPipe::new(1 << 20),
            stderr: MemoryOutputPipe::new(1 << 20),
            env,
            args,
            preopens,
        })
    }

    /// A WASI context over this run's stdio, environment, arguments and directories.
    fn wasi(&self) -> Result<WasiCtx> {
        let mut builder = WasiCtxBuilder::new();
        builder
            .stdin(self.stdin.clone())
            .stdout(self.stdout.clone())
            .stderr(self.stderr.clone())
            .envs(&self.env)
            .args(&self.args);
        for (dir, guest) in &self.preopens {
            builder.preopened_dir(dir.path(), guest, FsPerms::ReadWrite)?;
        }
        Ok(builder.build())
    }
}

/// A run of a case: the current instance and what its calls kept.
struct Session<'a> {
    component: &'a Component,
    linker: &'a Linker<Host>,
    io: Io,
    store: Store<Host>,
    instance: Instance,
    kept: HashMap<String, Val>,
    /// Names kept in instances that have trapped since, with the line of the trap.
    lost: HashMap<String, usize>,
}

impl<'a> Session<'a> {
    fn new(component: &'a Component, linker: &'a Linker<Host>, io: Io) -> Result<Self> {
        let (store, instance) = instantiate(component, linker, &io)?;
        Ok(Self {
            component,
            linker,
            io,
            store,
            instance,
            kept: HashMap::new(),
            lost: HashMap::new(),
        })
    }

    /// Checks one directive (those that only configure the build or the run pass).
    fn check(&mut self, directive: &Directive, line: usize) -> Result<()> {
        match directive {
            Directive::Call(call) => self.call(call, line),
            Directive::Stdout(text) => output_contains("stdout", &self.io.stdout, text),
            Directive::Stderr(text) => output_contains("stderr", &self.io.stderr, text),
            _ => Ok(()),
        }
    }

    fn call(&mut self, call: &Call, line: usize) -> Result<()> {
        let Call { path, args, expect } = call;
        let func = export(&self.instance, &mut self.store, path)?;
        let ty = func.ty(&self.store);
        let param_types: Vec<Type> = ty.params().map(|(_, t)| t).collect();
        let result_types: Vec<Type> = ty.results().collect();
        let Self {
            store, kept, lost, ..
        } = self;
        let params = args.to_vals(&param_types, &mut |handle, ty| match handle {
            Handle::Kept(name) => kept_value(kept, lost, name),
            Handle::Host(rep) => host_resource(&mut *store, *rep, ty),
        })?;
        let mut results = vec![Val::Bool(false); result_types.len()];
        let stderr_before = self.io.stderr.contents().len();
        let called = func.call(&mut self.store, &params, &mut results);
        let stderr = self.io.stderr.contents();
        let stderr = String::from_utf8_lossy(&stderr[stderr_before..]);
        match (expect, called) {
            (Expect::Traps(text), Err(error)) => {
                let message = format!("{error:?}");
                ensure!(
                    message.contains(text.as_str()) || stderr.contains(text.as_str()),
                    "{path} trapped without `{text}`:\n{message}\nstderr:\n{stderr}"
                );
                self.restart(line)
            }
            (Expect::Traps(text), Ok(())) => bail!("{path} returned but must trap with `{text}`"),
            (_, Err(error)) => bail!("{path} trapped: {error:?}\nstderr:\n{stderr}"),
            (Expect::Nothing, Ok(())) => Ok(()),
            (Expect::Keep(name), Ok(())) => {
                let value = results
                    .pop()
                    .ok_or_else(|| anyhow!("{path} returns nothing to keep"))?;
                self.kept.insert(name.clone(), value);
                Ok(())
            }
            (Expect::Equals(want), Ok(())) => {
                let (got, ty) = results
                    .pop()
                    .zip(result_types.first())
                    .ok_or_else(|| anyhow!("{path} returns nothing"))?;
                let got = printed(&mut self.store, got)?;
                let want = printed(&mut self.store, want.to_val(ty, &mut expected_handle)?)?;
                ensure!(
                    got == want,
                    "{path}({}) returned {got}, expected {want}",
                    args.text()
                );
                Ok(())
            }
        }
    }

    /// Goes on in a fresh instance after the trap at `line`: what was kept is gone.
    fn restart(&mut self, line: usize) -> Result<()> {
        for (name, _) in self.kept.drain() {
            self.lost.insert(name, line);
        }
        (self.store, self.instance) = instantiate(self.component, self.linker, &self.io)?;
        Ok(())
    }
}

fn instantiate(
    component: &Component,
    linker: &Linker<Host>,
    io: &Io,
) -> Result<(Store<Host>, Instance)> {
    let host = Host {
        wasi: io.wasi()?,
        table: ResourceTable::new(),
    };
    let mut store = Store::new(component.engine(), host);
    let instance = linker
        .instantiate(&mut store, component)
        .map_err(anyhow::Error::from)
        .context("instantiating the component")?;
    Ok((store, instance))
}

/// Checks that what the component wrote to `pipe` (`name`) so far contains `text`.
fn output_contains(name: &str, pipe: &MemoryOutputPipe, text: &str) -> Result<()> {
    let bytes = pipe.contents();
    let written = std::str::from_utf8(&bytes).map_err(|e| {
        anyhow!(
            "{name} is not UTF-8 ({e}):\n{}",
            String::from_utf8_lossy(&bytes)
        )
    })?;
    ensure!(
        written.contains(text),
        "{name} does not contain `{text}`:\n{written}"
    );
    Ok(())
}

/// The value kept as `$name`.
fn kept_value(
    kept: &HashMap<String, Val>,
    lost: &HashMap<String, usize>,
    name: &str,
) -> Result<Val> {
    if let Some(value) = kept.get(name) {
        return Ok(value.clone());
    }
    match lost.get(name) {
        Some(line) => bail!(
            "`${name}` was kept in the instance that trapped at line {line}; the case went on in \
             a fresh instance, which does not have it"
        ),
        None => bail!("no `${name}` was kept"),
    }
}

/// A new host resource with rep `rep`, for a position of type `ty`.
fn host_resource(store: impl AsContextMut, rep: u32, ty: &Type) -> Result<Val> {
    let resource = match ty {
        Type::Own(_) => Resource::<HostRep>::new_own(rep),
        Type::Borrow(_) => Resource::<HostRep>::new_borrow(rep),
        other => bail!("`@{rep}` stands where a {other:?} is expected, not a resource"),
    };
    Ok(Val::Resource(resource.try_into_resource_any(store)?))
}

/// A handle in an expected value: a host resource `@N` stands for itself as [`printed`] shows
/// it.
fn expected_handle(handle: &Handle, _: &Type) -> Result<Val> {
    match handle {
        Handle::Host(rep) => Ok(Val::Enum(format!("@{rep}"))),
        Handle::Kept(name) => bail!("a kept `${name}` cannot be an expected value"),
    }
}

/// `value` printed for comparison: WAVE, with flags sorted and host resources as `@rep`.
fn printed(mut store: impl AsContextMut, value: Val) -> Result<String> {
    let mut host_rep = |resource: ResourceAny| -> Result<u32> {
        let resource = resource
            .try_into_resource::<HostRep>(&mut store)
            .map_err(|_| anyhow!("only host resources (`@N`) can be compared"))?;
        Ok(resource.rep())
    };
    Ok(comparable(value, &mut host_rep)?.to_wave()?)
}

/// The exported function at `path` (`name` or `interface#name`).
fn export(instance: &Instance, store: &mut Store<Host>, path: &str) -> Result<Func> {
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

/// One `import` line.
struct Answer {
    line: usize,
    args: CaseArgs,
    result: Option<CaseValue>,
}

/// Defines a host function for every function that `import` lines answer, and the host
/// resources they name (from `[constructor]R`, `[method]R.f` and `[static]R.f`). An answer
/// may go unused: the component's imports must be defined to instantiate it at all.
fn define_imports(linker: &mut Linker<Host>, lines: &[Line]) -> Result<()> {
    // interface (None: the world) → function name → answers
    let mut by_interface: HashMap<Option<&str>, HashMap<&str, Vec<Answer>>> = HashMap::new();
    for line in lines {
        let Directive::Import(Import { path, args, result }) = &line.directive else {
            continue;
        };
        let (interface, name) = match path.split_once('#') {
            Some((interface, name)) => (Some(interface), name),
            None => (None, path.as_str()),
        };
        by_interface
            .entry(interface)
            .or_default()
            .entry(name)
            .or_default()
            .push(Answer {
                line: line.line,
                args: args.clone(),
                result: result.clone(),
            });
    }
    for (interface, functions) in by_interface {
        let mut instance = match interface {
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
            instance.resource(resource, ResourceType::host::<HostRep>(), |_, _| Ok(()))?;
        }
        for (name, answers) in functions {
            let path = match interface {
                Some(interface) => format!("{interface}#{name}"),
                None => name.to_string(),
            };
            instance.func_new(
                name,
                move |mut store: StoreContextMut<'_, Host>,
                      ty: ComponentFunc,
                      params: &[Val],
                      results: &mut [Val]| {
                    answer(&mut store, &path, &answers, &ty, params, results)
                        .map_err(wasmtime::Error::from_anyhow)
                },
            )?;
        }
    }
    Ok(())
}

/// Answers a call of import `path` with `params`, from the first of `answers` whose arguments
/// match.
fn answer(
    store: &mut StoreContextMut<'_, Host>,
    path: &str,
    answers: &[Answer],
    ty: &ComponentFunc,
    params: &[Val],
    results: &mut [Val],
) -> Result<()> {
    let got = params
        .iter()
        .map(|value| printed(&mut *store, value.clone()))
        .collect::<Result<Vec<_>>>()?;
    let param_types: Vec<Type> = ty.params().map(|(_, t)| t).collect();
    for answer in answers {
        let context = || format!("case.txt line {}", answer.line);
        let expected = answer
            .args
            .to_vals(&param_types, &mut expected_handle)
            .with_context(context)?
            .into_iter()
            .map(|value| printed(&mut *store, value))
            .collect::<Result<Vec<_>>>()?;
        if expected != got {
            continue;
        }
        match (ty.results().next(), &answer.result) {
            (Some(ty), Some(result)) => {
                results[0] = result
                    .to_val(&ty, &mut |handle, ty| match handle {
                        Handle::Host(rep) => host_resource(&mut *store, *rep, ty),
                        Handle::Kept(name) => bail!("a kept `${name}` cannot answer an import"),
                    })
                    .with_context(context)?;
            }
            (None, None) => {}
            (Some(ty), None) => bail!("{}: `_` answers {path}, which returns {ty:?}", context()),
            (None, Some(result)) => {
                bail!("{}: {path} returns nothing, not `{result}`", context())
            }
        }
        return Ok(());
    }
    bail!(
        "the component called {path}({}), which no import line answers",
        got.join(", ")
    )
}
