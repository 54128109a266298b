//! The in-memory file tree every stage reads, and the one way to name a path in it.

use std::collections::BTreeMap;

/// Files by [`path_key`] → contents: what the host read for the core (WIT and the Python path).
pub type Files = BTreeMap<String, Vec<u8>>;

/// The key of `path` in [`Files`]: `/`-separated (a `\` counts as one), without empty or `.`
/// components, so `./src/`, `src` and `src\` name one directory. A leading `/` stays, and `..`
/// is kept as written: keys are names, not resolved against a file system.
pub fn path_key(path: &str) -> String {
    let path = path.replace('\\', "/");
    let parts: Vec<&str> = path
        .split('/')
        .filter(|part| !part.is_empty() && *part != ".")
        .collect();
    let root = if path.starts_with('/') { "/" } else { "" };
    format!("{root}{}", parts.join("/"))
}

/// The prefix of the keys below directory `dir`: its key and `/`, or nothing for the root.
pub fn dir_prefix(dir: &str) -> String {
    match path_key(dir).as_str() {
        "" => String::new(),
        "/" => "/".to_string(),
        key => format!("{key}/"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_ignore_dots_and_separators() {
        for path in ["src", "./src", "src/", "./src/./", "src\\", ".//src"] {
            assert_eq!(path_key(path), "src", "{path}");
        }
        assert_eq!(path_key("a//b\\c"), "a/b/c");
        assert_eq!(path_key("/abs/./x"), "/abs/x");
        assert_eq!(path_key("../up"), "../up");
        assert_eq!(path_key("."), "");
        assert_eq!(dir_prefix("./"), "");
        assert_eq!(dir_prefix("lib/"), "lib/");
        assert_eq!(dir_prefix("/"), "/");
    }
}
