use super::*;
use crate::naming::full_interfaces;
use crate::wit::{WitOptions, load, tests::files};

fn summary_of(wit: &str, test: impl FnOnce(&Summary<'_>)) {
    let files = files(&[("wit/world.wit", wit)]);
    let options = WitOptions {
        paths: vec!["wit".into()],
        ..WitOptions::default()
    };
    let loaded = load(&files, &options).unwrap();
    test(&Summary::new(&loaded.resolve, loaded.world, Naming::default()).unwrap());
}

fn export<'s>(summary: &'s Summary<'_>, name: &str) -> &'s Signature {
    &summary
        .table
        .exports
        .iter()
        .find(|e| e.name.ends_with(name))
        .unwrap_or_else(|| panic!("no export {name}"))
        .signature
}

/// The resource of a `list<own<R>>` result.
fn listed_resource<'s>(summary: &'s Summary<'_>, ty: abi::Type) -> &'s Resource {
    let abi::Type::Defined(list) = ty else {
        panic!("not a list")
    };
    let TypeKind::List {
        element: abi::Type::Defined(handle),
    } = summary.table.types[list as usize].kind
    else {
        panic!("not a list of a defined type")
    };
    let TypeKind::Own(resource) = summary.table.types[handle as usize].kind else {
        panic!("not an own handle")
    };
    &summary.table.resources[resource as usize]
}

const ALIASES: &str = "package t:a;\n\
    interface one { resource thing { get: func() -> u32; } }\n\
    interface two { use one.{thing}; b: func() -> list<thing>; }\n\
    interface three { use one.{thing}; c: func() -> list<thing>; }\n\
    world w { use one.{thing}; import one; import two; export one; export two; export three;\n\
      export make: func() -> list<thing>; }";

#[test]
fn aliases_reach_the_side_of_the_interface_they_name() {
    summary_of(ALIASES, |summary| {
        // From an exported interface, `use` of an exported interface: the exported resource.
        let b = export(summary, "#b").result.unwrap();
        assert!(matches!(
            listed_resource(summary, b).side,
            ResourceSide::Exported(_)
        ));
        let c = export(summary, "#c").result.unwrap();
        assert!(matches!(
            listed_resource(summary, c).side,
            ResourceSide::Exported(_)
        ));
        // A world-level `use` is the import, even in a world-level export.
        let make = export(summary, "make").result.unwrap();
        assert!(matches!(
            listed_resource(summary, make).side,
            ResourceSide::Imported { .. }
        ));
    });
}

#[test]
fn only_a_result_type_itself_raises() {
    let wit = "package t:r;\n\
        interface types { type r = result<s8, u64>; }\n\
        interface api { use types.{r}; type named = result<s8, u64>; type again = named;\n\
          a: func() -> r; b: func() -> named; c: func() -> again; d: func() -> result<u8>; }\n\
        world w { export api; }";
    summary_of(wit, |summary| {
        let raises = |name| export(summary, name).result_raises;
        assert!(!raises("#a"), "through `use`");
        assert!(raises("#b"), "a named result");
        assert!(!raises("#c"), "an alias of a named result");
        assert!(raises("#d"), "inline");
    });
}

#[test]
fn bytes_only_where_the_element_is_written_u8_or_s8() {
    let wit = "package t:b;\n\
        interface api { type byte = s8; type blob = list<u8>;\n\
          a: func(x: list<s8>, y: list<u8>, z: list<byte>, w: blob, v: list<s16>); }\n\
        world w { export api; }";
    summary_of(wit, |summary| {
        let kinds: Vec<&TypeKind> = export(summary, "#a")
            .params
            .iter()
            .map(|ty| match ty {
                abi::Type::Defined(i) => &summary.table.types[*i as usize].kind,
                _ => panic!("a list is a defined type"),
            })
            .collect();
        assert!(matches!(kinds[0], TypeKind::Bytes));
        assert!(matches!(kinds[1], TypeKind::Bytes));
        assert!(matches!(
            kinds[2],
            TypeKind::List {
                element: abi::Type::S8
            }
        ));
        assert!(matches!(kinds[3], TypeKind::Bytes));
        assert!(matches!(
            kinds[4],
            TypeKind::List {
                element: abi::Type::S16
            }
        ));
    });
}

#[test]
fn the_first_world_with_an_interface_names_it() {
    let files = files(&[(
        "wit/world.wit",
        "package t:n;\ninterface a { f: func(); }\ninterface b { g: func(); }\n\
         world app { import a; }\nworld lib { import a; import b; export b; }",
    )]);
    let options = WitOptions {
        paths: vec!["wit".into()],
        worlds: vec!["app".into(), "lib".into()],
        ..WitOptions::default()
    };
    let loaded = load(&files, &options).unwrap();
    let [app, lib] = loaded.main_worlds[..] else {
        panic!("two worlds")
    };
    let full = full_interfaces(&loaded.resolve, &[(app, false), (lib, true)]);
    let name = |id: &(InterfaceId, Direction)| {
        let iface = &loaded.resolve.interfaces[id.0];
        (iface.name.clone().unwrap(), id.1)
    };
    let mut named: Vec<_> = full.iter().map(name).collect();
    named.sort_by(|x, y| x.0.cmp(&y.0).then((x.1 as u8).cmp(&(y.1 as u8))));
    assert_eq!(
        named,
        [
            ("b".to_string(), Direction::Import),
            ("b".to_string(), Direction::Export)
        ]
    );
}
