//! An indentation-aware writer of Python source: code is written a line at a time at the current
//! level, blank lines carry no indentation, and docstrings are quoted and escaped in one place.

/// Python source text being written.
#[derive(Default)]
pub struct Source {
    text: String,
    indent: usize,
}

/// Writes one formatted line to a [`Source`] at its indentation level.
macro_rules! line {
    ($source:expr, $($format:tt)*) => {
        $source.line(&format!($($format)*))
    };
}
pub(crate) use line;

impl Source {
    /// Writes `line` at the current level (an empty line gets no indentation).
    pub fn line(&mut self, line: &str) {
        if !line.is_empty() {
            for _ in 0..self.indent {
                self.text.push_str("    ");
            }
            self.text.push_str(line);
        }
        self.text.push('\n');
    }

    /// Writes `count` empty lines.
    pub fn blank(&mut self, count: usize) {
        for _ in 0..count {
            self.text.push('\n');
        }
    }

    /// Runs `body` one level deeper.
    pub fn indented(&mut self, body: impl FnOnce(&mut Self)) {
        self.indent += 1;
        body(self);
        self.indent -= 1;
    }

    /// Writes `docs` as a docstring at the current level; nothing when they are empty.
    pub fn docstring(&mut self, docs: &str) {
        let Some(lines) = docstring_lines(docs) else {
            return;
        };
        self.line("\"\"\"");
        for line in lines {
            self.line(&line);
        }
        self.line("\"\"\"");
    }

    /// Writes `docs` as `#` comments, for what cannot hold a docstring (a type alias).
    pub fn comment(&mut self, docs: &str) {
        for line in docstring_lines(docs).into_iter().flatten() {
            line!(self, "# {}", line.trim());
        }
    }

    /// The text written.
    pub fn finish(self) -> String {
        self.text
    }
}

/// The lines of `docs`, trimmed and escaped for a `"""` string, or `None` when there are none.
fn docstring_lines(docs: &str) -> Option<Vec<String>> {
    let docs = docs.trim();
    if docs.is_empty() {
        return None;
    }
    let escaped = docs.replace('\\', "\\\\").replace("\"\"\"", "\\\"\\\"\\\"");
    Some(escaped.lines().map(str::to_string).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_indented_and_blank_lines_are_empty() {
        let mut source = Source::default();
        line!(source, "class {}:", "A");
        source.indented(|source| {
            source.docstring("  First.\n\n  Has \"\"\" and \\.  ");
            source.line("pass");
        });
        source.blank(1);
        source.comment("One.\nTwo.");
        assert_eq!(
            source.finish(),
            "class A:\n    \"\"\"\n    First.\n\n      Has \\\"\\\"\\\" and \\\\.\n    \"\"\"\n    pass\n\n# One.\n# Two.\n"
        );
    }

    #[test]
    fn empty_docs_write_nothing() {
        let mut source = Source::default();
        source.docstring(" \n ");
        source.comment("");
        assert_eq!(source.finish(), "");
    }
}
