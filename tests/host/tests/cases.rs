//! The corpus (`tests/cases/`), one trial per check (libtest-mimic): `cases::<name>` builds the
//! case with the native CLI and checks every directive of its `case.txt` in wasmtime, and
//! `bindings::<name>` compares its generated bindings with the golden files (`BLESS=1` rewrites
//! them). `COMPONENTIZE_PY_CASES=<text>` keeps the cases whose name contains <text>; libtest's
//! own filter (`cargo test --test cases -- <filter>`) works too. The `selftest::` trials check
//! that the harness fails a wrong expectation placed after a trap, and delivers what cases give a
//! command at run time.

use std::path::{Path, PathBuf};

use componentize_py_test_host::cases::{Case, build, case_dirs};
use componentize_py_test_host::cli_binary;
use libtest_mimic::{Arguments, Failed, Trial};

fn main() {
    let args = Arguments::from_args();
    let mut trials = Vec::new();
    for dir in case_dirs() {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let bindings_dir = dir.clone();
        trials.push(Trial::test(format!("cases::{name}"), move || {
            checked(Case::read(&dir).and_then(|case| case.run(&cli_binary())))
        }));
        trials.push(Trial::test(format!("bindings::{name}"), move || {
            checked(Case::read(&bindings_dir).and_then(|case| case.check_bindings(&cli_binary())))
        }));
    }
    trials.push(Trial::test(
        "selftest::a_wrong_expectation_after_a_trap_fails",
        || checked(wrong_expectation_after_a_trap_fails()),
    ));
    trials.push(Trial::test(
        "selftest::a_command_gets_its_run_inputs",
        || checked(a_command_gets_its_run_inputs()),
    ));
    trials.push(Trial::test("identical_inputs_give_identical_bytes", || {
        checked(identical_inputs_give_identical_bytes())
    }));
    libtest_mimic::run(&args, trials).exit();
}

/// A trial's outcome, with the whole error chain as the failure's message.
fn checked(result: anyhow::Result<()>) -> Result<(), Failed> {
    result.map_err(|error| format!("{error:#}").into())
}

fn selftest(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("selftest")
        .join(name)
}

/// After a call that traps, the case goes on in a fresh instance and its checks count: with the
/// count of that instance the case passes, with the count the trapped instance would have given
/// it fails, naming the line.
fn wrong_expectation_after_a_trap_fails() -> anyhow::Result<()> {
    let dir = selftest("after-a-trap");
    let case = |last: &str| {
        Case::parse(
            &dir,
            &format!(
                "call count() == 1\ncall count() == 2\ncall boom() traps ~ ValueError: boom\n{last}"
            ),
        )
    };
    case("call count() == 1")?.run(&cli_binary())?;
    let error = case("call count() == 3")?
        .run(&cli_binary())
        .err()
        .ok_or_else(|| anyhow::anyhow!("a wrong expectation after a trap passed"))?;
    let error = format!("{error:#}");
    anyhow::ensure!(
        error.contains("line 4") && error.contains("returned 1, expected 3"),
        "the failure does not name line 4 and its values: {error}"
    );
    Ok(())
}

/// `stdin`, `run-env`, `run-args` and `preopen` reach a command, `stdout ~` and `stderr ~` read
/// UTF-8, and `wasi:cli/run`'s result compares with `ok` and `err`.
fn a_command_gets_its_run_inputs() -> anyhow::Result<()> {
    let dir = selftest("cli-run");
    let text = |fail: &str, result: &str| {
        format!(
            "world wasi:cli/command@0.2.0\nstdin \"héllo \"\nstdin \"wörld\"\n{fail}\
             run-env GREETING=hi there\nrun-args app.py --loud\npreopen /scratch\n\
             call wasi:cli/run@0.2.12#run() == {result}\nstdout ~ stdin: héllo wörld\n\
             stdout ~ args: ['app.py', '--loud']\nstdout ~ GREETING=hi there\n\
             stdout ~ preopens: ['/scratch']\nstderr ~ ünïcode on stderr\n"
        )
    };
    Case::parse(&dir, &text("", "ok"))?.run(&cli_binary())?;
    Case::parse(&dir, &text("run-env FAIL=1\n", "err"))?.run(&cli_binary())?;
    let error = Case::parse(&dir, &text("", "err"))?
        .run(&cli_binary())
        .err()
        .ok_or_else(|| anyhow::anyhow!("`== err` passed for a run that returned ok"))?;
    anyhow::ensure!(
        format!("{error:#}").contains("returned ok, expected err"),
        "{error:#}"
    );
    Ok(())
}

fn identical_inputs_give_identical_bytes() -> anyhow::Result<()> {
    let cli = cli_binary();
    let case = Path::new(env!("CARGO_MANIFEST_DIR")).join("../cases/compound");
    let dir = std::env::temp_dir().join(format!("componentize-py-twice-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let mut outputs = Vec::new();
    for name in ["first.wasm", "second.wasm"] {
        let output = dir.join(name);
        let built = build(&case, &cli, None, false, &output)?;
        anyhow::ensure!(
            built.status.success(),
            "{}",
            String::from_utf8_lossy(&built.stderr)
        );
        outputs.push(std::fs::read(&output)?);
    }
    std::fs::remove_dir_all(&dir)?;
    anyhow::ensure!(
        outputs[0] == outputs[1],
        "two builds of the same inputs differ"
    );
    Ok(())
}
