//! Component assembly: embeds the world's WIT into the linked module and wraps it, with the WASI
//! preview1 reactor adapter, into a component with wit-component.

use anyhow::{Context, Result};
use wasi_preview1_component_adapter_provider::WASI_SNAPSHOT_PREVIEW1_REACTOR_ADAPTER;
use wit_component::{ComponentEncoder, StringEncoding, embed_component_metadata};
use wit_parser::{Resolve, WorldId};

/// Turns the linked core module into a component targeting `world`, adapting its WASI preview1
/// imports when `wasi_adapter` (they are gone with `--stub-wasi`).
pub fn encode(
    module: &[u8],
    resolve: &Resolve,
    world: WorldId,
    wasi_adapter: bool,
) -> Result<Vec<u8>> {
    let mut module = module.to_vec();
    embed_component_metadata(&mut module, resolve, world, StringEncoding::UTF8, false)
        .context("embedding the world into the module")?;
    let mut encoder = ComponentEncoder::default();
    encoder.validate(true);
    encoder
        .module(&module)
        .context("reading the linked module")?;
    if wasi_adapter {
        encoder
            .adapter(
                "wasi_snapshot_preview1",
                WASI_SNAPSHOT_PREVIEW1_REACTOR_ADAPTER,
            )
            .context("adding the WASI preview1 adapter")?;
    }
    encoder.encode().context("encoding the component")
}
