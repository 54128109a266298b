//! Python names for WIT names, following componentize-py's conventions: modules and functions in
//! snake_case, classes in CamelCase, enum and flag members in UPPER_SNAKE, keywords suffixed `_`.

use heck::{ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};

const KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

fn escape(name: String) -> String {
    if KEYWORDS.contains(&name.as_str()) {
        format!("{name}_")
    } else {
        name
    }
}

/// A function, method, field, parameter or module name.
pub fn snake(name: &str) -> String {
    escape(name.to_snake_case())
}

/// A class name.
pub fn camel(name: &str) -> String {
    escape(name.to_upper_camel_case())
}

/// An enum or flags member name.
pub fn shouty(name: &str) -> String {
    escape(name.to_shouty_snake_case())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_python_conventions() {
        assert_eq!(snake("get-thing"), "get_thing");
        assert_eq!(snake("from"), "from_");
        assert_eq!(camel("incoming-handler"), "IncomingHandler");
        assert_eq!(shouty("not-found"), "NOT_FOUND");
    }
}
