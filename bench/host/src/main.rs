//! Per-call cost of a component built from bench/apps/rich, in a wasmtime host.
//!
//!     componentize-py-bench-host COMPONENT.wasm [BATCHES]
//!
//! Instantiates the component (WASI 0.2 linked, output discarded), checks each benchmarked export
//! once, then, after one warm-up batch, times BATCHES (default 7) batches of calls of each and
//! prints one JSON object: `{"add": {"median_us": …, "batches_us": […], "calls_per_batch": N},
//! …}`, the time of one call in microseconds (batch time / calls), median over the batches.

use std::time::Instant;

use anyhow::{Context, Result, ensure};
use wasmtime::component::{Component, Linker, ResourceAny, ResourceTable, TypedFunc};
use wasmtime::{Config, Engine, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

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

/// Times `batches` batches of `calls` calls of `f`; returns per-call microseconds per batch.
fn time(batches: usize, calls: usize, mut f: impl FnMut() -> Result<()>) -> Result<Vec<f64>> {
    for _ in 0..calls {
        f()?; // warm-up: one batch
    }
    let mut out = Vec::new();
    for _ in 0..batches {
        let start = Instant::now();
        for _ in 0..calls {
            f()?;
        }
        out.push(start.elapsed().as_secs_f64() * 1e6 / calls as f64);
    }
    Ok(out)
}

fn median(xs: &[f64]) -> f64 {
    let mut v = xs.to_vec();
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = v.len();
    if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 }
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let path = args.get(1).context("usage: componentize-py-bench-host COMPONENT.wasm [BATCHES]")?;
    let batches: usize = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(7);

    let engine = Engine::new(&Config::new())?;
    let component = Component::from_file(&engine, path)?;
    let mut linker: Linker<Host> = Linker::new(&engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
    let wasi = WasiCtxBuilder::new().build();
    let mut store = Store::new(&engine, Host { wasi, table: ResourceTable::new() });
    let instance = linker.instantiate(&mut store, &component)?;

    let api = instance
        .get_export_index(&mut store, None, "bench:rich/api")
        .context("no export bench:rich/api")?;
    macro_rules! func {
        ($name:literal, $params:ty, $results:ty) => {{
            let index = instance
                .get_export_index(&mut store, Some(&api), $name)
                .context(concat!("no export ", $name))?;
            let f: TypedFunc<$params, $results> = instance.get_typed_func(&mut store, &index)?;
            f
        }};
    }
    let add = func!("add", (u32, u32), (u32,));
    let echo_bytes = func!("echo-bytes", (&[u8],), (Vec<u8>,));
    let echo_strings = func!("echo-strings", (&[String],), (Vec<String>,));
    let new_counter = func!("[constructor]counter", (u32,), (ResourceAny,));
    let increment = func!("[method]counter.increment", (ResourceAny, u32), (u32,));

    let bytes: Vec<u8> = (0..1 << 20).map(|i: u32| (i * 7) as u8).collect();
    let strings: Vec<String> = (0..10_000).map(|i| format!("string number {i}")).collect();

    // Check once.
    ensure!(add.call(&mut store, (40, 2))?.0 == 42, "add");
    ensure!(echo_bytes.call(&mut store, (&bytes,))?.0 == bytes, "echo-bytes");
    ensure!(echo_strings.call(&mut store, (&strings,))?.0 == strings, "echo-strings");
    let (c,) = new_counter.call(&mut store, (5,))?;
    ensure!(increment.call(&mut store, (c, 3))?.0 == 8, "counter");
    c.resource_drop(&mut store)?;

    let mut json = Vec::new();
    let mut record = |name: &str, calls: usize, xs: Vec<f64>| {
        let list: Vec<String> = xs.iter().map(|x| format!("{x:.3}")).collect();
        json.push(format!(
            "\"{name}\": {{\"median_us\": {:.3}, \"batches_us\": [{}], \"calls_per_batch\": {calls}}}",
            median(&xs),
            list.join(", ")
        ));
    };
    let n = 20_000;
    let xs = time(batches, n, || {
        std::hint::black_box(add.call(&mut store, (1, 2))?);
        Ok(())
    })?;
    record("add", n, xs);
    let n = 10;
    let xs = time(batches, n, || {
        std::hint::black_box(echo_bytes.call(&mut store, (&bytes,))?);
        Ok(())
    })?;
    record("echo_bytes", n, xs);
    let n = 5;
    let xs = time(batches, n, || {
        std::hint::black_box(echo_strings.call(&mut store, (&strings,))?);
        Ok(())
    })?;
    record("echo_strings", n, xs);
    let n = 5000;
    let xs = time(batches, n, || {
        let (c,) = new_counter.call(&mut store, (1,))?;
        std::hint::black_box(increment.call(&mut store, (c, 1))?);
        c.resource_drop(&mut store)?;
        Ok(())
    })?;
    record("resource", n, xs);
    println!("{{{}}}", json.join(", "));
    Ok(())
}
