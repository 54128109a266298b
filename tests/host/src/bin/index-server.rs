//! Serves the local package index of a corpus case for the JS tests (see
//! `componentize_py_test_host::index`): `index-server [--no-cors] CASE_DIR` prints the index URL
//! on the first line of stdout, then each requested path on a line of its own, and stops when
//! stdin closes.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use componentize_py_test_host::cases::Case;
use componentize_py_test_host::index::IndexServer;

fn main() -> Result<()> {
    let mut cors = true;
    let mut dir = None;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--no-cors" => cors = false,
            _ if dir.is_none() => dir = Some(PathBuf::from(arg)),
            _ => bail!("usage: index-server [--no-cors] CASE_DIR"),
        }
    }
    let dir = dir.context("usage: index-server [--no-cors] CASE_DIR")?;
    let case = Case::read(&dir)?;
    let packages = case
        .index_dir()
        .with_context(|| format!("{} has no `index` line", dir.display()))?;
    let server = IndexServer::start_with(&packages, cors)?;
    println!("{}", server.url());
    std::thread::spawn(move || {
        let _ = std::io::stdin().read_to_end(&mut Vec::new());
        std::process::exit(0);
    });
    let mut stdout = std::io::stdout();
    loop {
        for path in server.take_log() {
            writeln!(stdout, "{path}")?;
        }
        stdout.flush()?;
        std::thread::sleep(Duration::from_millis(20));
    }
}
