//! Values written in `case.txt`: WAVE (parsed with `wasm-wave`), where `$name` (a kept result)
//! and `@N` (a host resource with rep N) may stand for a value. Those two are not WAVE: before
//! parsing, WAVE's own lexer finds them outside string and char literals and each is replaced by a
//! placeholder label whose span says which handle it is.

use std::collections::HashMap;
use std::fmt;

use anyhow::{Context, Result, anyhow, bail, ensure};
use serde::{Serialize, Serializer};
use wasm_wave::ast::{Node, NodeType};
use wasm_wave::lex::{Lexer, Span, Token};
use wasm_wave::untyped::UntypedValue;
use wasmtime::component::{Type, Val};

/// What a placeholder label stands for.
#[derive(Debug, Clone, PartialEq)]
pub enum Handle {
    /// `$name`: a result kept by an earlier `call ... -> $name`.
    Kept(String),
    /// `@N`: a host resource with rep `N`.
    Host(u32),
}

/// The label a handle is replaced with before WAVE parsing.
const PLACEHOLDER: &str = "handle";

/// A value as written in `case.txt`.
#[derive(Debug, Clone)]
pub struct CaseValue {
    /// The text as written.
    text: String,
    /// The parsed value, with placeholders for the handles.
    wave: UntypedValue<'static>,
    /// Each placeholder's span in `wave`'s source, and its handle.
    handles: Vec<(Span, Handle)>,
}

/// The arguments of a call, `(a, b, ...)` in `case.txt`.
#[derive(Debug, Clone)]
pub struct CaseArgs(CaseValue);

/// Resolves a handle at a position of type `ty` to a value.
pub type Resolve<'a> = dyn FnMut(&Handle, &Type) -> Result<Val> + 'a;

impl CaseValue {
    /// Parses `text`, which must be one value.
    pub fn parse(text: &str) -> Result<Self> {
        let text = text.trim();
        Self::from_substituted(text, substitute(text, false)?)
    }

    fn from_substituted(text: &str, substituted: Substituted) -> Result<Self> {
        let Substituted {
            source, handles, ..
        } = substituted;
        let wave = UntypedValue::parse(&source)
            .map(UntypedValue::into_owned)
            .map_err(|e| anyhow!("cannot read `{text}` as WAVE: {e}"))?;
        Ok(Self {
            text: text.to_string(),
            wave,
            handles,
        })
    }

    /// The text as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The name of `$name`, if that is all this value is.
    pub fn kept_name(&self) -> Option<&str> {
        match self.handles.as_slice() {
            [(span, Handle::Kept(name))] if *span == self.wave.node().span() => Some(name),
            _ => None,
        }
    }

    /// This value as a value of type `ty`, with `resolve` giving the value of each handle.
    pub fn to_val(&self, ty: &Type, resolve: &mut Resolve<'_>) -> Result<Val> {
        self.node_to_val(self.wave.node(), ty, resolve)
            .with_context(|| format!("`{}`", self.text))
    }

    fn node_to_val(&self, node: &Node, ty: &Type, resolve: &mut Resolve<'_>) -> Result<Val> {
        let span = node.span();
        if let Some((_, handle)) = self.handles.iter().find(|(s, _)| *s == span) {
            return resolve(handle, ty);
        }
        let source = self.wave.source();
        if !self
            .handles
            .iter()
            .any(|(s, _)| span.start <= s.start && s.end <= span.end)
        {
            return Ok(node.to_wasm_value::<Val>(ty, source)?);
        }
        // A compound value with a handle inside: WAVE cannot convert it, so walk it here.
        let mut to_val = |node: &Node, ty: &Type| self.node_to_val(node, ty, resolve);
        Ok(match (ty, node.ty()) {
            (Type::List(list), NodeType::List) => Val::List(
                node.as_list()?
                    .map(|item| to_val(item, &list.ty()))
                    .collect::<Result<_>>()?,
            ),
            (Type::Tuple(tuple), NodeType::Tuple) => {
                let items = node.as_tuple()?;
                ensure!(
                    items.len() == tuple.types().len(),
                    "a tuple of {} values needs {} of them",
                    tuple.types().len(),
                    items.len()
                );
                Val::Tuple(
                    items
                        .zip(tuple.types())
                        .map(|(item, ty)| to_val(item, &ty))
                        .collect::<Result<_>>()?,
                )
            }
            (Type::Record(record), NodeType::Record) => {
                let mut given: HashMap<&str, &Node> = node.as_record(source)?.collect();
                let fields = record
                    .fields()
                    .map(|field| {
                        let value = given
                            .remove(field.name)
                            .ok_or_else(|| anyhow!("field `{}` is missing", field.name))?;
                        Ok((field.name.to_string(), to_val(value, &field.ty)?))
                    })
                    .collect::<Result<_>>()?;
                if let Some(name) = given.keys().next() {
                    bail!("the record has no field `{name}`");
                }
                Val::Record(fields)
            }
            (Type::Variant(variant), NodeType::VariantWithPayload) => {
                let (label, payload) = node.as_variant(source)?;
                let case = variant
                    .cases()
                    .find(|case| case.name == label)
                    .ok_or_else(|| anyhow!("the variant has no case `{label}`"))?;
                let payload = payload_to_val(payload, case.ty.as_ref(), &mut to_val)?;
                Val::Variant(label.to_string(), payload)
            }
            (Type::Option(option), NodeType::OptionSome) => {
                let payload = node.as_option()?;
                Val::Option(payload_to_val(payload, Some(&option.ty()), &mut to_val)?)
            }
            // WAVE's flattened `some`: the payload written alone.
            (Type::Option(option), _) => Val::Option(Some(Box::new(to_val(node, &option.ty())?))),
            (Type::Result(result), NodeType::ResultOk | NodeType::ResultErr) => {
                Val::Result(match node.as_result()? {
                    Ok(payload) => Ok(payload_to_val(payload, result.ok().as_ref(), &mut to_val)?),
                    Err(payload) => {
                        Err(payload_to_val(payload, result.err().as_ref(), &mut to_val)?)
                    }
                })
            }
            _ => bail!(
                "`{}` is not a value of type {ty:?}",
                &source[span.start..span.end]
            ),
        })
    }
}

/// The payload of a variant case, option or result: `payload` as a value of `ty`.
fn payload_to_val(
    payload: Option<&Node>,
    ty: Option<&Type>,
    to_val: &mut impl FnMut(&Node, &Type) -> Result<Val>,
) -> Result<Option<Box<Val>>> {
    match (payload, ty) {
        (Some(node), Some(ty)) => Ok(Some(Box::new(to_val(node, ty)?))),
        (None, None) => Ok(None),
        (Some(_), None) => bail!("a payload where the type has none"),
        (None, Some(ty)) => bail!("no payload where the type has one ({ty:?})"),
    }
}

impl CaseArgs {
    /// Splits `text`, which starts with `(`, after the `)` that closes it: the arguments and the
    /// rest of the text.
    pub fn parse(text: &str) -> Result<(Self, &str)> {
        let text = text.trim_start();
        ensure!(
            text.starts_with('('),
            "expected `(` at the start of `{text}`"
        );
        let mut substituted = substitute(text, true)?;
        // `(a, b)` is read as the list `[a, b]`: WAVE has no empty tuple, and each argument has
        // its own type. Both brackets are one byte, so the handles' spans still hold.
        let source = &mut substituted.source;
        source.replace_range(..1, "[");
        source.replace_range(source.len() - 1.., "]");
        let end = substituted.end;
        let value = CaseValue::from_substituted(text[1..end - 1].trim(), substituted)?;
        Ok((Self(value), &text[end..]))
    }

    /// The arguments as written, without the parentheses.
    pub fn text(&self) -> &str {
        self.0.text()
    }

    /// The arguments as values of `types`, with `resolve` giving the value of each handle.
    pub fn to_vals(&self, types: &[Type], resolve: &mut Resolve<'_>) -> Result<Vec<Val>> {
        let items = self.0.wave.node().as_list()?;
        ensure!(
            items.len() == types.len(),
            "({}) are {} arguments; the function takes {}",
            self.text(),
            items.len(),
            types.len()
        );
        items
            .zip(types)
            .map(|(node, ty)| self.0.node_to_val(node, ty, resolve))
            .collect::<Result<_>>()
            .with_context(|| format!("arguments ({})", self.text()))
    }
}

/// Case-file text with its handles replaced by placeholders.
struct Substituted {
    /// The text, up to `end`, with placeholders.
    source: String,
    /// Each placeholder's span in `source`, and its handle.
    handles: Vec<(Span, Handle)>,
    /// How much of the original text `source` covers.
    end: usize,
}

/// Lexes `text` with WAVE's lexer and replaces each `$name` and `@N` outside literals by
/// [`PLACEHOLDER`]. With `group` (`text` starts with `(`), lexing stops at the `)` that closes
/// the `(`.
fn substitute(text: &str, group: bool) -> Result<Substituted> {
    let mut lexer = Lexer::new(text);
    let mut source = String::new();
    let mut handles = Vec::new();
    let (mut copied, mut depth, mut end) = (0, 0usize, None);
    while let Some(token) = lexer.next() {
        let span = lexer.span();
        match token {
            Ok(Token::ParenOpen | Token::BracketOpen | Token::BraceOpen) => depth += 1,
            Ok(Token::ParenClose | Token::BracketClose | Token::BraceClose) => {
                depth = depth
                    .checked_sub(1)
                    .ok_or_else(|| anyhow!("unbalanced `{}` in `{text}`", lexer.slice()))?;
                if group && depth == 0 {
                    end = Some(span.end);
                    break;
                }
            }
            Ok(_) => {}
            Err(_) => {
                let sigil = &text[span.clone()];
                let name = lexer.next().map(|token| (token, lexer.span()));
                let (handle, name) = match (sigil, name) {
                    ("$", Some((Ok(Token::LabelOrKeyword), name))) if name.start == span.end => {
                        (Handle::Kept(text[name.clone()].to_string()), name)
                    }
                    ("@", Some((Ok(Token::Number), rep))) if rep.start == span.end => {
                        let handle = text[rep.clone()].parse().map(Handle::Host).map_err(|_| {
                            anyhow!("`@{}` in `{text}`: a rep is a u32", &text[rep.clone()])
                        })?;
                        (handle, rep)
                    }
                    ("$" | "@", _) => bail!(
                        "`{sigil}` at column {} of `{text}` must be followed by a name (`$name`) \
                         or a rep (`@N`)",
                        span.start + 1
                    ),
                    _ => bail!(
                        "cannot read `{sigil}` at column {} of `{text}`",
                        span.start + 1
                    ),
                };
                source.push_str(&text[copied..span.start]);
                let start = source.len();
                source.push_str(PLACEHOLDER);
                handles.push((start..source.len(), handle));
                copied = name.end;
            }
        }
    }
    let end = match (group, end) {
        (true, Some(end)) => end,
        (true, None) => bail!("no `)` closes the `(` of `{text}`"),
        (false, _) => text.len(),
    };
    source.push_str(&text[copied..end]);
    Ok(Substituted {
        source,
        handles,
        end,
    })
}

impl Serialize for CaseValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl Serialize for CaseArgs {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl fmt::Display for CaseValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// `value` in a form that prints the same for equal values: flags sorted, host resources as
/// `@rep` (an enum label, which WAVE prints as is). `host_rep` gives a resource's rep, or fails
/// for a resource the host did not make.
pub fn comparable(
    value: Val,
    host_rep: &mut dyn FnMut(wasmtime::component::ResourceAny) -> Result<u32>,
) -> Result<Val> {
    let mut each = |items: Vec<Val>| -> Result<Vec<Val>> {
        items.into_iter().map(|v| comparable(v, host_rep)).collect()
    };
    Ok(match value {
        Val::Flags(mut names) => {
            names.sort();
            Val::Flags(names)
        }
        Val::Resource(resource) => Val::Enum(format!("@{}", host_rep(resource)?)),
        Val::List(items) => Val::List(each(items)?),
        Val::FixedLengthList(items) => Val::FixedLengthList(each(items)?),
        Val::Tuple(items) => Val::Tuple(each(items)?),
        Val::Record(fields) => {
            let (names, values): (Vec<String>, Vec<Val>) = fields.into_iter().unzip();
            Val::Record(names.into_iter().zip(each(values)?).collect())
        }
        Val::Map(pairs) => {
            let (keys, values): (Vec<Val>, Vec<Val>) = pairs.into_iter().unzip();
            Val::Map(each(keys)?.into_iter().zip(each(values)?).collect())
        }
        Val::Variant(case, payload) => Val::Variant(case, boxed(payload, host_rep)?),
        Val::Option(payload) => Val::Option(boxed(payload, host_rep)?),
        Val::Result(Ok(payload)) => Val::Result(Ok(boxed(payload, host_rep)?)),
        Val::Result(Err(payload)) => Val::Result(Err(boxed(payload, host_rep)?)),
        other => other,
    })
}

fn boxed(
    payload: Option<Box<Val>>,
    host_rep: &mut dyn FnMut(wasmtime::component::ResourceAny) -> Result<u32>,
) -> Result<Option<Box<Val>>> {
    payload
        .map(|v| comparable(*v, host_rep).map(Box::new))
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_handles(handle: &Handle, _: &Type) -> Result<Val> {
        bail!("unexpected handle {handle:?}")
    }

    #[test]
    fn arguments_keep_quotes_and_at_signs_inside_literals() {
        let text = r#"("it's @home", '\'', '@', "a, b (c", "$x") == "done""#;
        let (args, rest) = CaseArgs::parse(text).unwrap();
        assert_eq!(rest, r#" == "done""#);
        assert_eq!(args.text(), r#""it's @home", '\'', '@', "a, b (c", "$x""#);
        let types = [
            Type::String,
            Type::Char,
            Type::Char,
            Type::String,
            Type::String,
        ];
        let values = args.to_vals(&types, &mut no_handles).unwrap();
        assert_eq!(
            values,
            [
                Val::String("it's @home".into()),
                Val::Char('\''),
                Val::Char('@'),
                Val::String("a, b (c".into()),
                Val::String("$x".into()),
            ]
        );
    }

    #[test]
    fn handles_stand_anywhere_outside_literals() {
        let value = CaseValue::parse(r#"[$a, (@1, "@2"), some(@22), '$']"#).unwrap();
        let handles: Vec<&Handle> = value.handles.iter().map(|(_, h)| h).collect();
        assert_eq!(
            handles,
            [
                &Handle::Kept("a".into()),
                &Handle::Host(1),
                &Handle::Host(22)
            ]
        );
        let (args, _) = CaseArgs::parse(r#"($a, "@3")"#).unwrap();
        let mut resolve = |handle: &Handle, ty: &Type| {
            assert_eq!((handle, ty), (&Handle::Kept("a".into()), &Type::U32));
            Ok(Val::U32(7))
        };
        let values = args
            .to_vals(&[Type::U32, Type::String], &mut resolve)
            .unwrap();
        assert_eq!(values, [Val::U32(7), Val::String("@3".into())]);
    }

    #[test]
    fn a_kept_name_is_a_whole_value() {
        assert_eq!(
            CaseValue::parse("$counter-1").unwrap().kept_name(),
            Some("counter-1")
        );
        assert_eq!(CaseValue::parse("[$a]").unwrap().kept_name(), None);
        assert_eq!(CaseValue::parse("\"$a\"").unwrap().kept_name(), None);
    }

    #[test]
    fn malformed_handles_and_calls_are_errors() {
        for (text, message) in [
            ("(@ 1)", "must be followed by a name"),
            ("(@x)", "must be followed by a name"),
            ("(@4294967296)", "a rep is a u32"),
            ("($)", "must be followed by a name"),
            ("(#)", "cannot read `#`"),
            ("(1, 2", "no `)` closes"),
            ("1, 2)", "expected `(`"),
            ("(\"unterminated)", "cannot read"),
        ] {
            let error = CaseArgs::parse(text).map(|_| ()).unwrap_err();
            assert!(format!("{error:#}").contains(message), "{text}: {error:#}");
        }
        assert!(CaseValue::parse("1 2").is_err());
    }

    #[test]
    fn empty_arguments_are_an_empty_list() {
        let (args, rest) = CaseArgs::parse("() traps ~ boom").unwrap();
        assert_eq!(rest, " traps ~ boom");
        assert_eq!(args.text(), "");
        assert!(args.to_vals(&[], &mut no_handles).unwrap().is_empty());
        assert!(args.to_vals(&[Type::U32], &mut no_handles).is_err());
    }

    #[test]
    fn comparable_values_print_equally() {
        let flags = |names: &[&str]| Val::Flags(names.iter().map(|n| n.to_string()).collect());
        let mut no_resources = |_| bail!("no resources here");
        let a = comparable(flags(&["write", "read"]), &mut no_resources).unwrap();
        let b = comparable(flags(&["read", "write"]), &mut no_resources).unwrap();
        assert_eq!(a.to_wave().unwrap(), b.to_wave().unwrap());
        let marker = Val::List(vec![Val::Enum("@1".into()), Val::Enum("@2".into())]);
        assert_eq!(marker.to_wave().unwrap(), "[@1, @2]");
    }
}
