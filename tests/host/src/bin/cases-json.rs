//! Prints every case of `tests/cases/`, parsed by the harness, as JSON on stdout (see
//! `componentize_py_test_host::cases::corpus_json`): the JS tests read this instead of parsing
//! `case.txt` themselves.

fn main() -> anyhow::Result<()> {
    println!("{}", componentize_py_test_host::cases::corpus_json()?);
    Ok(())
}
