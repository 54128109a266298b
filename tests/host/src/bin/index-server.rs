//! Serves the local package index of a corpus case for the JS tests (see
//! `componentize_py_test_host::index`): `index-server [--no-cors] [--authorization VALUE]
//! CASE_DIR` prints the index URL on the first line of stdout, then each requested path on a line
//! of its own, and stops when stdin closes. With `--authorization`, requests without that
//! `Authorization` header are answered 401.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use componentize_py_test_host::cases::Case;
use componentize_py_test_host::index::{Access, IndexServer};

const USAGE: &str = "usage: index-server [--no-cors] [--authorization VALUE] CASE_DIR";

fn main() -> Result<()> {
    let mut access = Access::default();
    let mut dir = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--no-cors" => access.cors = false,
            "--authorization" => access.authorization = Some(args.next().context(USAGE)?),
            _ if dir.is_none() => dir = Some(PathBuf::from(arg)),
            _ => bail!(USAGE),
        }
    }
    let dir = dir.context(USAGE)?;
    let case = Case::read(&dir)?;
    let packages = case
        .index_dir()
        .with_context(|| format!("{} has no `index` line", dir.display()))?;
    let server = IndexServer::start_with(&packages, access)?;
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
