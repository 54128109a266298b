//! What the app asks for: `[project].dependencies` of a `pyproject.toml` (with extras and PEP 735
//! dependency groups) or a requirements file, and the index options that come with them.

use std::str::FromStr;

use anyhow::{Context, Result, bail};
use pep440_rs::VersionSpecifiers;
use pep508_rs::Requirement;

/// Requirements and the options read with them.
#[derive(Debug, Clone, Default)]
pub struct Requirements {
    /// The requirements, in the order given.
    pub requirements: Vec<Requirement>,
    /// `[project].requires-python`.
    pub requires_python: Option<VersionSpecifiers>,
    /// `--index-url` lines of a requirements file.
    pub index_url: Option<String>,
    /// `--extra-index-url` lines.
    pub extra_index_urls: Vec<String>,
    /// `--find-links` lines, relative to the file that names them.
    pub find_links: Vec<String>,
    /// `--hash=sha256:` pins of requirement lines, by normalised package name.
    pub hashes: std::collections::BTreeMap<pep508_rs::PackageName, Vec<String>>,
}

/// Reads a `pyproject.toml` (`path` names it in errors): `[project].dependencies`, then the
/// `[project.optional-dependencies]` of each of `extras` and the `[dependency-groups]` of each of
/// `groups` (with `include-group`).
pub fn pyproject(
    text: &str,
    path: &str,
    extras: &[String],
    groups: &[String],
) -> Result<Requirements> {
    let table: toml::Table = toml::from_str(text).with_context(|| format!("parsing {path}"))?;
    let project = table.get("project").and_then(|p| p.as_table());
    let mut out = Requirements::default();
    if let Some(requires) = project.and_then(|p| p.get("requires-python")) {
        let text = requires
            .as_str()
            .with_context(|| format!("{path}: `project.requires-python` must be a string"))?;
        out.requires_python =
            Some(VersionSpecifiers::from_str(text).with_context(|| {
                format!("{path}: invalid `project.requires-python = \"{text}\"`")
            })?);
    }
    let strings = |value: Option<&toml::Value>, key: &str| -> Result<Vec<String>> {
        let Some(value) = value else {
            return Ok(Vec::new());
        };
        value
            .as_array()
            .with_context(|| format!("{path}: `{key}` must be an array of strings"))?
            .iter()
            .map(|item| {
                item.as_str()
                    .map(str::to_string)
                    .with_context(|| format!("{path}: `{key}` must be an array of strings"))
            })
            .collect()
    };
    let dynamic = strings(project.and_then(|p| p.get("dynamic")), "project.dynamic")?;
    for field in ["dependencies", "optional-dependencies"] {
        if dynamic.iter().any(|d| d == field) && (field == "dependencies" || !extras.is_empty()) {
            bail!(
                "{path}: `project.dynamic` lists `{field}`, which only a build backend can compute \
                 (componentize-py runs none): list them in the file, or pass a requirements file \
                 with -r"
            );
        }
    }
    let mut texts = Vec::new();
    for text in strings(
        project.and_then(|p| p.get("dependencies")),
        "project.dependencies",
    )? {
        texts.push((text, "project.dependencies".to_string()));
    }
    let optional = project
        .and_then(|p| p.get("optional-dependencies"))
        .and_then(|o| o.as_table());
    let extra_texts = |extra: &str| -> Result<Vec<(String, String)>> {
        let key = format!("project.optional-dependencies.{extra}");
        let found = optional.and_then(|o| {
            o.iter()
                .find(|(name, _)| normalize(name) == normalize(extra))
                .map(|(_, v)| v)
        });
        let Some(found) = found else {
            bail!("{path}: no extra `{extra}` in [project.optional-dependencies]");
        };
        Ok(strings(Some(found), &key)?
            .into_iter()
            .map(|text| (text, key.clone()))
            .collect())
    };
    let mut added: Vec<String> = Vec::new();
    for extra in extras {
        if !added.contains(&normalize(extra)) {
            added.push(normalize(extra));
            texts.extend(extra_texts(extra)?);
        }
    }
    let dependency_groups = table.get("dependency-groups").and_then(|g| g.as_table());
    for group in groups {
        let mut stack = Vec::new();
        group_requirements(dependency_groups, group, path, &mut stack, &mut texts)?;
    }
    // A requirement on the project itself (`app[extra]`, common in extras and groups) stands for
    // the extras it names.
    let own_name = project
        .and_then(|p| p.get("name"))
        .and_then(|n| n.as_str())
        .map(normalize);
    let mut pending = texts;
    pending.reverse();
    while let Some((text, key)) = pending.pop() {
        let requirement = Requirement::from_str(&text)
            .with_context(|| format!("{path}: invalid requirement `{text}` in `{key}`"))?;
        if own_name.as_deref() != Some(&normalize(requirement.name.as_ref())) {
            out.requirements.push(requirement);
            continue;
        }
        if !requirement.marker.is_true() {
            bail!(
                "{path}: `{text}` in `{key}`: a marker on a requirement of the project itself is not supported"
            );
        }
        let mut more = Vec::new();
        for extra in &requirement.extras {
            let extra = extra.to_string();
            if !added.contains(&normalize(&extra)) {
                added.push(normalize(&extra));
                more.extend(extra_texts(&extra)?);
            }
        }
        pending.extend(more.into_iter().rev());
    }
    Ok(out)
}

/// PEP 503 normalisation of a name.
fn normalize(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// The requirements of a PEP 735 group, includes expanded; `stack` catches cycles.
fn group_requirements(
    groups: Option<&toml::Table>,
    group: &str,
    path: &str,
    stack: &mut Vec<String>,
    out: &mut Vec<(String, String)>,
) -> Result<()> {
    let key = normalize(group);
    if stack.contains(&key) {
        bail!("{path}: dependency group `{group}` includes itself");
    }
    let Some((name, items)) =
        groups.and_then(|g| g.iter().find(|(name, _)| normalize(name) == key))
    else {
        bail!("{path}: no dependency group `{group}` in [dependency-groups]");
    };
    let items = items
        .as_array()
        .with_context(|| format!("{path}: `dependency-groups.{name}` must be an array"))?;
    stack.push(key);
    for item in items {
        if let Some(text) = item.as_str() {
            out.push((text.to_string(), format!("dependency-groups.{name}")));
        } else if let Some(include) = item.get("include-group").and_then(|i| i.as_str()) {
            group_requirements(groups, include, path, stack, out)?;
        } else {
            bail!(
                "{path}: `dependency-groups.{name}` holds an entry that is neither a string nor {{include-group = ...}}"
            );
        }
    }
    stack.pop();
    Ok(())
}

/// Reads a requirements file: one requirement per line, `#` comments, `\` continuations,
/// `-r/--requirement` includes (read with `read`, relative to the including file),
/// `-i/--index-url` (the last one counts, as in pip), `--extra-index-url`, `-f/--find-links`, and
/// `--hash=sha256:<hex>` options on requirement lines (the wheel chosen must have one of them).
/// Anything else is an error that names the line.
pub fn requirements_txt(
    path: &str,
    read: &mut dyn FnMut(&str) -> Result<String>,
) -> Result<Requirements> {
    let mut out = Requirements::default();
    let mut stack = Vec::new();
    read_requirements(path, read, &mut stack, &mut out)?;
    Ok(out)
}

fn read_requirements(
    path: &str,
    read: &mut dyn FnMut(&str) -> Result<String>,
    stack: &mut Vec<String>,
    out: &mut Requirements,
) -> Result<()> {
    if stack.iter().any(|p| p == path) {
        bail!("{path} includes itself");
    }
    let text = read(path).with_context(|| format!("reading {path}"))?;
    let dir = match path.rfind('/') {
        Some(slash) => &path[..=slash],
        None => "",
    };
    let relative = |p: &str| {
        if p.starts_with('/') || p.contains("://") {
            p.to_string()
        } else {
            format!("{dir}{p}")
        }
    };
    stack.push(path.to_string());
    let mut logical = String::new();
    let mut first_line = 0;
    // A continuation on the last line ends there.
    let lines = text.lines().chain(std::iter::once(""));
    for (number, line) in lines.enumerate() {
        if logical.is_empty() {
            first_line = number + 1;
        }
        if let Some(continued) = line.strip_suffix('\\') {
            logical.push_str(continued);
            logical.push(' ');
            continue;
        }
        logical.push_str(line);
        let line = std::mem::take(&mut logical);
        let line = strip_comment(&line).trim();
        if line.is_empty() {
            continue;
        }
        let at = || format!("{path}:{first_line}");
        let (option, value) = split_option(line);
        match option {
            Some("-r" | "--requirement") => {
                read_requirements(&relative(value), read, stack, out).with_context(at)?
            }
            Some("-i" | "--index-url") => out.index_url = Some(value.to_string()),
            Some("--extra-index-url") => out.extra_index_urls.push(value.to_string()),
            Some("-f" | "--find-links") => out.find_links.push(relative(value)),
            Some(other) => bail!(
                "{}: `{other}` is not supported (requirement lines, -r, --index-url, \
                 --extra-index-url, --find-links and --hash are)",
                at()
            ),
            None => {
                let mut parts = line.split(" --hash");
                let requirement = parts.next().unwrap_or(line).trim();
                let parsed = Requirement::from_str(requirement)
                    .with_context(|| format!("{}: invalid requirement `{requirement}`", at()))?;
                for hash in parts {
                    let hash = hash.trim_start_matches(['=', ' ']).trim();
                    let Some(hex) = hash.strip_prefix("sha256:") else {
                        bail!(
                            "{}: `--hash {hash}`: only sha256 hashes are supported",
                            at()
                        );
                    };
                    out.hashes
                        .entry(parsed.name.clone())
                        .or_default()
                        .push(hex.to_ascii_lowercase());
                }
                out.requirements.push(parsed);
            }
        }
    }
    stack.pop();
    Ok(())
}

/// The line without a `#` comment (at its start or after whitespace).
fn strip_comment(line: &str) -> &str {
    if line.trim_start().starts_with('#') {
        return "";
    }
    match line.find(" #").or_else(|| line.find("\t#")) {
        Some(at) => &line[..at],
        None => line,
    }
}

/// An option line's flag and value (`--flag value`, `--flag=value`, `-fvalue`).
fn split_option(line: &str) -> (Option<&str>, &str) {
    if !line.starts_with('-') {
        return (None, line);
    }
    if let Some((flag, value)) = line.split_once('=')
        && flag.starts_with("--")
        && !flag.contains(' ')
    {
        return (Some(flag), value.trim());
    }
    match line.split_once(char::is_whitespace) {
        Some((flag, value)) => (Some(flag), value.trim()),
        None if line.len() > 2 && !line.starts_with("--") => (Some(&line[..2]), &line[2..]),
        None => (Some(line), ""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_pyproject_with_extras_and_groups() {
        let text = r#"
[project]
name = "app"
requires-python = ">=3.11"
dependencies = ["attrs>=23", "idna; sys_platform != 'win32'"]
[project.optional-dependencies]
cli = ["click"]
[dependency-groups]
test = ["tomli", {include-group = "lint"}]
lint = ["packaging"]
"#;
        let reqs = pyproject(text, "pyproject.toml", &["cli".into()], &["test".into()]).unwrap();
        let names: Vec<String> = reqs
            .requirements
            .iter()
            .map(|r| r.name.to_string())
            .collect();
        assert_eq!(names, ["attrs", "idna", "click", "tomli", "packaging"]);
        assert_eq!(reqs.requires_python.unwrap().to_string(), ">=3.11");
        let error = pyproject(text, "pyproject.toml", &["nope".into()], &[]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "pyproject.toml: no extra `nope` in [project.optional-dependencies]"
        );
        let cycle =
            "[dependency-groups]\na = [{include-group = \"b\"}]\nb = [{include-group = \"a\"}]\n";
        let error = pyproject(cycle, "p.toml", &[], &["a".into()]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "p.toml: dependency group `a` includes itself"
        );
    }

    #[test]
    fn a_requirement_on_the_project_itself_adds_its_extras() {
        let text = r#"
[project]
name = "My_App"
dependencies = ["attrs"]
[project.optional-dependencies]
all = ["my-app[cli,web]"]
cli = ["click", "my.app[cli]"]
web = ["idna"]
[dependency-groups]
dev = ["my-app[web]", "tomli"]
"#;
        let names = |extras: &[&str], groups: &[&str]| -> Vec<String> {
            let extras: Vec<String> = extras.iter().map(|e| e.to_string()).collect();
            let groups: Vec<String> = groups.iter().map(|g| g.to_string()).collect();
            pyproject(text, "pyproject.toml", &extras, &groups)
                .unwrap()
                .requirements
                .iter()
                .map(|r| r.name.to_string())
                .collect()
        };
        assert_eq!(names(&["all"], &[]), ["attrs", "click", "idna"]);
        assert_eq!(names(&[], &["dev"]), ["attrs", "idna", "tomli"]);
        assert_eq!(names(&["web"], &["dev"]), ["attrs", "idna", "tomli"]);
    }

    #[test]
    fn dynamic_dependencies_are_refused() {
        let text = "[project]\nname = \"app\"\ndynamic = [\"dependencies\"]\n";
        let error = pyproject(text, "pyproject.toml", &[], &[]).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("pyproject.toml: `project.dynamic` lists `dependencies`"),
            "{error}"
        );
        let text = "[project]\nname = \"app\"\ndependencies = []\ndynamic = [\"optional-dependencies\", \"version\"]\n";
        assert!(pyproject(text, "pyproject.toml", &[], &[]).is_ok());
        assert!(pyproject(text, "pyproject.toml", &["x".into()], &[]).is_err());
    }

    #[test]
    fn reads_requirements_files_with_includes() {
        let mut files = std::collections::BTreeMap::from([
            (
                "req/main.txt",
                "# top\n-r base.txt\nrequests[socks] >=2.31 ; python_version >= '3.8'  # pinned\n--extra-index-url http://127.0.0.1:1/simple\nhumanize==4.9.0 \\\n    --hash=sha256:AB --hash=sha256:cd \\",
            ),
            (
                "req/base.txt",
                "--index-url=http://127.0.0.1:2/simple\n-f wheels\nidna\n",
            ),
            ("bad.txt", "-e .\n"),
        ]);
        let mut read = |path: &str| -> Result<String> {
            files
                .get(path)
                .map(|t| t.to_string())
                .with_context(|| format!("{path} does not exist"))
        };
        let reqs = requirements_txt("req/main.txt", &mut read).unwrap();
        let names: Vec<String> = reqs.requirements.iter().map(|r| r.to_string()).collect();
        assert_eq!(
            names,
            [
                "idna",
                "requests[socks]>=2.31 ; python_full_version >= '3.8'",
                "humanize==4.9.0"
            ]
        );
        assert_eq!(reqs.index_url.as_deref(), Some("http://127.0.0.1:2/simple"));
        assert_eq!(reqs.extra_index_urls, ["http://127.0.0.1:1/simple"]);
        assert_eq!(reqs.find_links, ["req/wheels"]);
        let humanize = pep508_rs::PackageName::new("humanize".into()).unwrap();
        assert_eq!(reqs.hashes[&humanize], ["ab", "cd"]);
        let error = requirements_txt("bad.txt", &mut read).unwrap_err();
        assert!(
            format!("{error:#}").starts_with("bad.txt:1: `-e` is not supported"),
            "{error:#}"
        );
        files.clear();
    }
}
