//! The guest runtime on its own, in wasmtime with WASI preview1: its imports, Python startup
//! over the bundled standard library, errors at init, and the table-driven interpreter driven
//! through the export entry points as the glue drives them.

use componentize_py_abi::{
    CALL_EXPORT, Case, EXPORT_ARGS, ExportFunction, ExportTarget, Field, FlatType, INIT_EXPORT,
    InitConfig, Layout, POST_RETURN, PyName, RESOURCE_DTOR, Signature, Type, TypeDef, TypeKind,
    WorldTable,
};
use componentize_py_test_host::{
    APP_BUNDLE, Guest, STDLIB_BUNDLE, runtime_wasm, stdlib_bundle, zip,
};
use wasmparser::{Parser, Payload, TypeRef};

/// Initialises the runtime with `app.py` (plus `extra` modules) as the app and `world` as table.
fn start(
    app: &str,
    extra: &[(&str, &str)],
    world: WorldTable,
) -> Result<Guest, componentize_py_test_host::InitFailure> {
    let mut entries: Vec<(&str, &[u8])> = vec![("app.py", app.as_bytes())];
    entries.extend(
        extra
            .iter()
            .map(|(name, source)| (*name, source.as_bytes())),
    );
    let config = InitConfig {
        bundles: vec![STDLIB_BUNDLE.into(), APP_BUNDLE.into()],
        app_module: Some("app".into()),
        world,
    };
    Guest::initialize(
        &config,
        &[
            ("stdlib.zip", stdlib_bundle().unwrap()),
            ("app.zip", zip(&entries)),
        ],
    )
}

#[test]
fn imports_only_wasi_preview1_functions() {
    let wasm = runtime_wasm().unwrap();
    let mut imports = Vec::new();
    let mut exports = Vec::new();
    for payload in Parser::new(0).parse_all(&wasm) {
        match payload.unwrap() {
            Payload::ImportSection(section) => {
                for import in section.into_imports() {
                    let import = import.unwrap();
                    imports.push((
                        import.module.to_string(),
                        import.name.to_string(),
                        import.ty,
                    ));
                }
            }
            Payload::ExportSection(section) => {
                for export in section {
                    exports.push(export.unwrap().name.to_string());
                }
            }
            _ => {}
        }
    }
    assert!(!imports.is_empty());
    for (module, name, ty) in &imports {
        assert_eq!(module, "wasi_snapshot_preview1", "import {module}::{name}");
        assert!(
            matches!(ty, TypeRef::Func(_)),
            "import {module}::{name} is not a function"
        );
    }
    for name in [
        "memory",
        "_initialize",
        "cabi_realloc",
        INIT_EXPORT,
        EXPORT_ARGS,
        CALL_EXPORT,
        POST_RETURN,
        RESOURCE_DTOR,
    ] {
        assert!(
            exports.iter().any(|e| e == name),
            "missing export {name}; exports: {exports:?}"
        );
    }
}

#[test]
fn stdlib_bundle_names_no_build_machine_path() {
    let bundle = stdlib_bundle().unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bundle)).unwrap();
    let home = std::env::var("HOME").unwrap_or_default();
    assert!(home.len() > 1, "HOME is needed to look for it");
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        let mut contents = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut contents).unwrap();
        let found = contents.windows(home.len()).any(|w| w == home.as_bytes());
        assert!(!found, "{:?} names {home}", entry.name());
    }
}

#[test]
fn stdlib_snippet_runs_with_a_deterministic_result() {
    let app = r#"
import json, re, dataclasses, decimal, hashlib, zlib, datetime, collections, typing

@dataclasses.dataclass
class Item:
    name: str
    price: decimal.Decimal

items: typing.List[Item] = [Item("tea", decimal.Decimal("2.50")), Item("cake", decimal.Decimal("3.25"))]
total = sum((i.price for i in items), decimal.Decimal(0))
words = collections.Counter(re.findall(r"[a-z]+", "the cat and the hat and the bat"))
packed = zlib.compress(b"componentize-py " * 64)
day = datetime.date(2024, 2, 28) + datetime.timedelta(days=2)
print(json.dumps({
    "total": str(total),
    "common": words.most_common(2),
    "sha256": hashlib.sha256(b"wasm").hexdigest()[:16],
    "zlib": [len(packed) < 100, zlib.decompress(packed)[:16].decode()],
    "day": day.isoformat(),
    "fields": [f.name for f in dataclasses.fields(Item)],
}, sort_keys=True))
"#;
    let guest = start(app, &[], WorldTable::default())
        .unwrap_or_else(|f| panic!("{}\n{}", f.error, f.stderr));
    assert_eq!(
        guest.stdout(),
        concat!(
            r#"{"common": [["the", 3], ["and", 2]], "day": "2024-03-01", "fields": ["name", "price"], "#,
            r#""sha256": "336154bf67f765f8", "total": "5.75", "zlib": [true, "componentize-py "]}"#,
            "\n"
        )
    );
}

#[test]
fn exception_at_init_comes_back_with_its_traceback() {
    let app = "import helper\nhelper.fail('bad input')\n";
    let helper = "def fail(what):\n    raise ValueError(f'cannot go on: {what}')\n";
    let failure = start(app, &[("helper.py", helper)], WorldTable::default())
        .err()
        .expect("init must fail");
    assert!(
        failure
            .stderr
            .contains("Traceback (most recent call last):"),
        "{}",
        failure.stderr
    );
    assert!(
        failure
            .stderr
            .contains("File \"/componentize-py/app.zip/helper.py\", line 2, in fail"),
        "{}",
        failure.stderr
    );
    assert!(
        failure
            .stderr
            .contains("raise ValueError(f'cannot go on: {what}')"),
        "{}",
        failure.stderr
    );
    assert!(
        failure
            .stderr
            .contains("ValueError: cannot go on: bad input"),
        "{}",
        failure.stderr
    );
    assert!(
        format!("{:?}", failure.error).contains("wasm trap"),
        "{:?}",
        failure.error
    );
}

#[test]
fn syntax_error_at_init_names_file_and_line() {
    let failure = start(
        "x = 1\ndef broken(:\n    pass\n",
        &[],
        WorldTable::default(),
    )
    .err()
    .expect("init must fail");
    assert!(
        failure
            .stderr
            .contains("File \"/componentize-py/app.zip/app.py\", line 2"),
        "{}",
        failure.stderr
    );
    assert!(failure.stderr.contains("SyntaxError"), "{}", failure.stderr);
}

#[test]
fn missing_export_method_is_named() {
    let world = WorldTable {
        export_instances: vec![py("app", "WitWorld")],
        exports: vec![export(
            "add",
            sig(&[Type::U32, Type::U32], Some(Type::U32), false),
            0,
        )],
        ..WorldTable::default()
    };
    let failure = start("class WitWorld:\n    pass\n", &[], world)
        .err()
        .expect("init must fail");
    assert!(
        failure
            .stderr
            .contains("the app's class WitWorld has no method `add`, needed for export `add`"),
        "{}",
        failure.stderr
    );
}

// ---- the interpreter -------------------------------------------------------------------------

const TYPES_MODULE: &str = r#"
from dataclasses import dataclass

@dataclass
class Some:
    value: object

@dataclass
class Ok:
    value: object

class Err(Exception):
    def __init__(self, value):
        super().__init__(value)
        self.value = value
"#;

const INTERPRETER_APP: &str = r#"
from dataclasses import dataclass
from enum import Enum, Flag
from componentize_py_types import Err

@dataclass
class Point:
    x: int
    y: float
    name: str

@dataclass
class Shape_Circle:
    value: float

@dataclass
class Shape_Label:
    value: str

@dataclass
class Shape_Empty:
    pass

class Color(Enum):
    RED = 0
    GREEN = 1
    BLUE = 2

class Perms(Flag):
    READ = 1
    WRITE = 2
    EXEC = 4

class WitWorld:
    def add(self, a, b):
        return a + b
    def greet(self, name):
        return f"hello, {name}!"
    def move_point(self, p, dx):
        return Point(p.x + dx, p.y * 2, p.name.upper())
    def describe(self, shape):
        if isinstance(shape, Shape_Circle):
            return f"circle {shape.value}"
        if isinstance(shape, Shape_Label):
            return f"label {shape.value}"
        return "empty"
    def next_color(self, c):
        return Color((c.value + 1) % 3)
    def toggle(self, perms):
        return perms ^ Perms.WRITE
    def maybe_double(self, x):
        return None if x is None else x * 2
    def checked_div(self, a, b):
        if b == 0:
            raise Err("division by zero")
        return a // b
    def sum_bytes(self, data):
        return sum(data)
    def reverse_words(self, words):
        return [w[::-1] for w in reversed(words)]
    def bad_return(self):
        return 42
"#;

fn py(module: &str, name: &str) -> PyName {
    PyName {
        module: module.into(),
        name: name.into(),
    }
}

fn layout(size: u32, align: u32, flat: &[FlatType]) -> Layout {
    Layout {
        size,
        align,
        flat: flat.to_vec(),
    }
}

fn flat_of(table: &WorldTable, ty: Type) -> Vec<FlatType> {
    match ty {
        Type::S64 | Type::U64 => vec![FlatType::I64],
        Type::F32 => vec![FlatType::F32],
        Type::F64 => vec![FlatType::F64],
        Type::String => vec![FlatType::I32, FlatType::I32],
        Type::Defined(i) => table.types[i as usize].layout.flat.clone(),
        _ => vec![FlatType::I32],
    }
}

fn sig(params: &[Type], result: Option<Type>, result_raises: bool) -> Signature {
    Signature {
        params: params.to_vec(),
        result,
        result_raises,
        ..Signature::default()
    }
}

fn export(name: &str, signature: Signature, instance: u32) -> ExportFunction {
    ExportFunction {
        name: name.into(),
        signature,
        target: ExportTarget::Method {
            instance,
            name: name.into(),
        },
    }
}

/// The world of [`INTERPRETER_APP`], with flattening filled in as the componentizer does.
fn interpreter_world() -> WorldTable {
    use FlatType::*;
    let (point, shape, color, perms, opt, res, bytes, strings) = (
        Type::Defined(0),
        Type::Defined(1),
        Type::Defined(2),
        Type::Defined(3),
        Type::Defined(4),
        Type::Defined(5),
        Type::Defined(6),
        Type::Defined(7),
    );
    let field = |name: &str, ty, offset| Field {
        name: name.into(),
        ty,
        offset,
    };
    let case = |name: &str, ty| Case {
        class: py("app", name),
        ty,
    };
    let types = vec![
        TypeDef {
            kind: TypeKind::Record {
                class: py("app", "Point"),
                fields: vec![
                    field("x", Type::S32, 0),
                    field("y", Type::F64, 8),
                    field("name", Type::String, 16),
                ],
            },
            layout: layout(24, 8, &[I32, F64, I32, I32]),
        },
        TypeDef {
            kind: TypeKind::Variant {
                cases: vec![
                    case("Shape_Circle", Some(Type::F32)),
                    case("Shape_Label", Some(Type::String)),
                    case("Shape_Empty", None),
                ],
                payload_offset: 4,
            },
            layout: layout(12, 4, &[I32, I32, I32]),
        },
        TypeDef {
            kind: TypeKind::Enum {
                class: py("app", "Color"),
                cases: 3,
            },
            layout: layout(1, 1, &[I32]),
        },
        TypeDef {
            kind: TypeKind::Flags {
                class: py("app", "Perms"),
                count: 3,
            },
            layout: layout(1, 1, &[I32]),
        },
        TypeDef {
            kind: TypeKind::Option {
                ty: Type::S64,
                payload_offset: 8,
                nested: false,
            },
            layout: layout(16, 8, &[I32, I64]),
        },
        TypeDef {
            kind: TypeKind::Result {
                ok: Some(Type::U32),
                err: Some(Type::String),
                payload_offset: 4,
            },
            layout: layout(12, 4, &[I32, I32, I32]),
        },
        TypeDef {
            kind: TypeKind::List { element: Type::U8 },
            layout: layout(8, 4, &[I32, I32]),
        },
        TypeDef {
            kind: TypeKind::List {
                element: Type::String,
            },
            layout: layout(8, 4, &[I32, I32]),
        },
    ];
    let mut table = WorldTable {
        types,
        export_instances: vec![py("app", "WitWorld")],
        ..WorldTable::default()
    };
    let signatures = [
        ("add", sig(&[Type::U32, Type::U32], Some(Type::U32), false)),
        ("greet", sig(&[Type::String], Some(Type::String), false)),
        ("move_point", sig(&[point, Type::S32], Some(point), false)),
        ("describe", sig(&[shape], Some(Type::String), false)),
        ("next_color", sig(&[color], Some(color), false)),
        ("toggle", sig(&[perms], Some(perms), false)),
        ("maybe_double", sig(&[opt], Some(opt), false)),
        ("checked_div", sig(&[Type::U32, Type::U32], Some(res), true)),
        ("sum_bytes", sig(&[bytes], Some(Type::U64), false)),
        ("reverse_words", sig(&[strings], Some(strings), false)),
        ("bad_return", sig(&[], Some(Type::String), false)),
    ];
    for (name, mut signature) in signatures {
        signature.flat_params = signature
            .params
            .iter()
            .flat_map(|&t| flat_of(&table, t))
            .collect();
        let flat_results: Vec<FlatType> = signature
            .result
            .iter()
            .flat_map(|&t| flat_of(&table, t))
            .collect();
        signature.results_indirect = flat_results.len() > 1;
        signature.flat_results = if signature.results_indirect {
            vec![I32]
        } else {
            flat_results
        };
        table.exports.push(export(name, signature, 0));
    }
    table
}

/// Reads the `(ptr, len)` string at `addr`.
fn read_string(guest: &Guest, addr: u32) -> String {
    let (ptr, len) = (
        guest.read_u32(addr).unwrap(),
        guest.read_u32(addr + 4).unwrap(),
    );
    String::from_utf8(guest.read(ptr, len).unwrap()).unwrap()
}

fn interpreter_guest() -> Guest {
    start(
        INTERPRETER_APP,
        &[("componentize_py_types.py", TYPES_MODULE)],
        interpreter_world(),
    )
    .unwrap_or_else(|f| panic!("{}\n{}", f.error, f.stderr))
}

#[test]
fn interpreter_scalars_and_strings() {
    let mut guest = interpreter_guest();
    let at = guest.call_export(0, &[40, 2]).unwrap();
    assert_eq!(guest.read_u32(at).unwrap(), 42);

    let name = guest.alloc("wörld".as_bytes(), 1).unwrap();
    let at = guest
        .call_export(1, &[name.into(), "wörld".len() as u64])
        .unwrap();
    assert_eq!(read_string(&guest, at), "hello, wörld!");
    guest.post_return(1).unwrap();
}

#[test]
fn interpreter_records_variants_enums_flags() {
    let mut guest = interpreter_guest();
    let name = guest.alloc(b"pt", 1).unwrap();
    let at = guest
        .call_export(
            2,
            &[7, 1.25f64.to_bits(), name.into(), 2, (-10i32) as u32 as u64],
        )
        .unwrap();
    assert_eq!(guest.read_u32(at).unwrap() as i32, -3);
    assert_eq!(
        f64::from_le_bytes(guest.read(at + 8, 8).unwrap().try_into().unwrap()),
        2.5
    );
    assert_eq!(read_string(&guest, at + 16), "PT");
    guest.post_return(2).unwrap();

    // Variant cases share joined slots: an f32 payload arrives as i32 bits.
    let at = guest
        .call_export(3, &[0, 1.5f32.to_bits().into(), 0])
        .unwrap();
    assert_eq!(read_string(&guest, at), "circle 1.5");
    let label = guest.alloc(b"hi", 1).unwrap();
    let at = guest.call_export(3, &[1, label.into(), 2]).unwrap();
    assert_eq!(read_string(&guest, at), "label hi");
    let at = guest.call_export(3, &[2, 0, 0]).unwrap();
    assert_eq!(read_string(&guest, at), "empty");

    let at = guest.call_export(4, &[2]).unwrap();
    assert_eq!(guest.read_u32(at).unwrap(), 0);
    let at = guest.call_export(5, &[0b101]).unwrap();
    assert_eq!(guest.read_u32(at).unwrap(), 0b111);
}

#[test]
fn interpreter_options_results_and_lists() {
    let mut guest = interpreter_guest();
    let at = guest.call_export(6, &[1, (-21i64) as u64]).unwrap();
    assert_eq!(guest.read(at, 1).unwrap(), [1]);
    assert_eq!(
        i64::from_le_bytes(guest.read(at + 8, 8).unwrap().try_into().unwrap()),
        -42
    );
    let at = guest.call_export(6, &[0, 0]).unwrap();
    assert_eq!(guest.read(at, 1).unwrap(), [0]);

    let at = guest.call_export(7, &[9, 2]).unwrap();
    assert_eq!(
        (
            guest.read(at, 1).unwrap()[0],
            guest.read_u32(at + 4).unwrap()
        ),
        (0, 4)
    );
    let at = guest.call_export(7, &[1, 0]).unwrap();
    assert_eq!(guest.read(at, 1).unwrap(), [1]);
    assert_eq!(read_string(&guest, at + 4), "division by zero");
    guest.post_return(7).unwrap();

    let data: Vec<u8> = (0..=255).collect();
    let ptr = guest.alloc(&data, 1).unwrap();
    let at = guest.call_export(8, &[ptr.into(), 256]).unwrap();
    assert_eq!(
        u64::from_le_bytes(guest.read(at, 8).unwrap().try_into().unwrap()),
        255 * 128
    );

    let mut list = Vec::new();
    for word in ["abc", "de"] {
        let ptr = guest.alloc(word.as_bytes(), 1).unwrap();
        list.extend(ptr.to_le_bytes());
        list.extend((word.len() as u32).to_le_bytes());
    }
    let ptr = guest.alloc(&list, 4).unwrap();
    let at = guest.call_export(9, &[ptr.into(), 2]).unwrap();
    let (items, len) = (guest.read_u32(at).unwrap(), guest.read_u32(at + 4).unwrap());
    assert_eq!(len, 2);
    assert_eq!(
        [read_string(&guest, items), read_string(&guest, items + 8)],
        ["ed", "cba"]
    );
    guest.post_return(9).unwrap();
}

#[test]
fn wrong_return_type_traps_with_the_traceback() {
    let mut guest = interpreter_guest();
    let error = guest.call_export(10, &[]).unwrap_err().to_string();
    assert!(error.contains("error in export `bad_return`"), "{error}");
    assert!(
        error.contains("TypeError: result: expected str, got int"),
        "{error}"
    );
}
