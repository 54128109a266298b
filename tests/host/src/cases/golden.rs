//! Golden bindings: what `componentize-py bindings` writes for a case's world (with the case's
//! global flags), checked in under the case in `golden-bindings/`, so that a change to the
//! generated API shows up in review. `BLESS=1` rewrites them from the CLI's output.
//!
//! Each file is stored with [`SUFFIX`] added to its name (`wit_world/__init__.py.golden`): the
//! case directory is the app's Python path, and a `.py` file there would be bundled into the
//! component; tools that look at Python or source files (mypy, the duplicate finder, editors)
//! leave them alone too.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, ensure};

use super::{Case, cli_command};
use crate::TempDir;

/// The golden bindings' directory under a case.
const GOLDEN_DIR: &str = "golden-bindings";

/// What a golden file's name adds to the generated file's.
const SUFFIX: &str = ".golden";

/// Whether `BLESS=1` asks for the golden files to be rewritten.
fn blessing() -> bool {
    std::env::var_os("BLESS").is_some_and(|value| value == "1")
}

impl Case {
    /// Generates the case's bindings with the CLI at `cli` and compares them with the golden
    /// files (or, with `BLESS=1`, writes them). A case whose build must fail may have a world
    /// that does not parse: then the bindings must fail too, and there are no golden files.
    pub fn check_bindings(&self, cli: &Path) -> Result<()> {
        let out = TempDir::new()?;
        let generated = cli_command(&self.dir, cli, &self.build_args())
            .arg("bindings")
            .arg(out.path())
            .output()
            .with_context(|| format!("running {}", cli.display()))?;
        let golden = self.dir.join(GOLDEN_DIR);
        if !generated.status.success() {
            ensure!(
                self.must_fail_to_build(),
                "the bindings failed:\n{}",
                String::from_utf8_lossy(&generated.stderr)
            );
            if blessing() && golden.exists() {
                std::fs::remove_dir_all(&golden)?;
            }
            ensure!(
                !golden.exists(),
                "the bindings fail (as the build must), but {} exists: remove it, or run with \
                 BLESS=1",
                golden.display()
            );
            return Ok(());
        }
        let files = read_tree(out.path(), "")?;
        if blessing() {
            if golden.exists() {
                std::fs::remove_dir_all(&golden)?;
            }
            for (path, contents) in &files {
                let path = golden.join(format!("{path}{SUFFIX}"));
                std::fs::create_dir_all(path.parent().unwrap())?;
                std::fs::write(&path, contents)?;
            }
            return Ok(());
        }
        ensure!(
            golden.is_dir(),
            "{} is missing: write it with BLESS=1 cargo test -p componentize-py-test-host --test \
             cases bindings::{}",
            golden.display(),
            self.name
        );
        let differences = differences(&read_tree(&golden, SUFFIX)?, &files);
        ensure!(
            differences.is_empty(),
            "the generated bindings differ from {}:\n{}\nIf the change is meant, rewrite them \
             with BLESS=1 cargo test -p componentize-py-test-host --test cases bindings::{} and \
             commit them",
            golden.display(),
            differences.join("\n"),
            self.name
        );
        Ok(())
    }
}

/// Every file under `dir`, by its path relative to `dir` with `/` and without `suffix`.
fn read_tree(dir: &Path, suffix: &str) -> Result<BTreeMap<String, Vec<u8>>> {
    fn visit(
        dir: &Path,
        prefix: &str,
        suffix: &str,
        files: &mut BTreeMap<String, Vec<u8>>,
    ) -> Result<()> {
        for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = format!("{prefix}{name}");
            if entry.file_type()?.is_dir() {
                visit(&entry.path(), &format!("{path}/"), suffix, files)?;
            } else {
                let path = path.strip_suffix(suffix).unwrap_or(&path).to_string();
                files.insert(path, std::fs::read(entry.path())?);
            }
        }
        Ok(())
    }
    let mut files = BTreeMap::new();
    visit(dir, "", suffix, &mut files)?;
    Ok(files)
}

/// How `generated` differs from `golden`: a line per file missing, extra or changed (with its
/// first changed line).
fn differences(
    golden: &BTreeMap<String, Vec<u8>>,
    generated: &BTreeMap<String, Vec<u8>>,
) -> Vec<String> {
    let mut differences = Vec::new();
    for (path, want) in golden {
        match generated.get(path) {
            None => differences.push(format!("  {path}: no longer generated")),
            Some(got) if got != want => {
                let (got, want) = (String::from_utf8_lossy(got), String::from_utf8_lossy(want));
                let (got, want): (Vec<&str>, Vec<&str>) =
                    (got.lines().collect(), want.lines().collect());
                let changed = (0..got.len().max(want.len())).find(|&i| got.get(i) != want.get(i));
                differences.push(match changed {
                    Some(i) => format!(
                        "  {path}: line {} is now `{}`, was `{}`",
                        i + 1,
                        got.get(i).unwrap_or(&"<end>"),
                        want.get(i).unwrap_or(&"<end>")
                    ),
                    None => format!("  {path}: only line endings changed"),
                });
            }
            Some(_) => {}
        }
    }
    for path in generated.keys().filter(|path| !golden.contains_key(*path)) {
        differences.push(format!("  {path}: new"));
    }
    differences
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differences_name_each_file_and_the_first_changed_line() {
        let tree = |files: &[(&str, &str)]| -> BTreeMap<String, Vec<u8>> {
            files
                .iter()
                .map(|(path, text)| (path.to_string(), text.as_bytes().to_vec()))
                .collect()
        };
        let golden = tree(&[
            ("a.py", "x = 1\ny = 2\n"),
            ("gone.py", ""),
            ("same.py", "s"),
        ]);
        let generated = tree(&[("a.py", "x = 1\ny = 3\n"), ("new.py", ""), ("same.py", "s")]);
        assert_eq!(
            differences(&golden, &generated),
            [
                "  a.py: line 2 is now `y = 3`, was `y = 2`",
                "  gone.py: no longer generated",
                "  new.py: new",
            ]
        );
        assert!(differences(&golden, &golden).is_empty());
    }
}
