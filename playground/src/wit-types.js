// The export signatures of a component, read from the WIT that wasm-tools prints for it
// (`componentWit`). That text is canonical (one package per block, every type spelled out), so a
// small parser suffices: it keeps type definitions, `use` statements and world-level function
// exports, and skips everything else.
//
// Types come out as plain objects (structured-cloneable, for postMessage):
//   { kind: "bool" | "s8" … "f64" | "char" | "string" }
//   { kind: "list", elem } | { kind: "option", inner } | { kind: "result", ok, err }
//   { kind: "tuple", items } | { kind: "record", name, fields: [{ name, type }] }
//   { kind: "variant", name, cases: [{ name, type }] } | { kind: "enum", name, cases: [name] }
//   { kind: "flags", name, flags: [name] } | { kind: "resource" | "own" | "borrow", name }
// (`ok`, `err` and a case's `type` are null when absent).

const PRIMITIVES = new Set([
  "bool", "s8", "s16", "s32", "s64", "u8", "u16", "u32", "u64", "f32", "f64", "float32",
  "float64", "char", "string",
]);

/** Splits WIT text into tokens: identifiers, versions and punctuation. */
function tokenize(text) {
  const tokens = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
    } else if (text.startsWith("//", i)) {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (text.startsWith("/*", i)) {
      const end = text.indexOf("*/", i + 2);
      i = end < 0 ? text.length : end + 2;
    } else if (text.startsWith("->", i)) {
      tokens.push("->");
      i += 2;
    } else if (c === "@") {
      // A version: up to a separator; a "." followed by "{" ends it (`@0.2.0.{a, b}`).
      let j = i + 1;
      while (j < text.length && /[0-9A-Za-z.+-]/.test(text[j])) {
        if (text[j] === "." && text[j + 1] === "{") break;
        j++;
      }
      tokens.push(text.slice(i, j));
      i = j;
    } else if (/[A-Za-z0-9%_-]/.test(c)) {
      let j = i;
      while (j < text.length && /[A-Za-z0-9%_-]/.test(text[j])) j++;
      tokens.push(text.slice(i, j).replace(/^%/, ""));
      i = j;
    } else {
      tokens.push(c);
      i++;
    }
  }
  return tokens;
}

/** A scope of named types: a world or an interface. */
class Scope {
  constructor(pkg) {
    this.pkg = pkg; // { name, version, interfaces: Map }
    this.types = new Map(); // name -> raw type or { use: [ifacePath, name] }
  }
}

/**
 * Parses printed WIT. Returns `{ worlds: Map(name -> { functions, interfaces }) }` where
 * `functions` are the world-level function exports `{ name, params: [{ name, type }], result }`
 * with types resolved, and `interfaces` the names of exported interfaces.
 */
export function parseComponentWit(text) {
  const tokens = tokenize(text);
  let at = 0;
  const peek = (k = 0) => tokens[at + k];
  const next = () => tokens[at++];
  const expect = (t) => {
    const got = next();
    if (got !== t) throw new Error(`WIT: expected "${t}", found "${got}" (token ${at - 1})`);
    return got;
  };
  const packages = new Map(); // "ns:name" -> { interfaces: Map }
  const worlds = new Map();
  const pending = []; // worlds to resolve once every package is read

  /** Skips a balanced `{ … }` or up to the next ";". */
  function skipItem() {
    while (at < tokens.length) {
      const t = next();
      if (t === ";") return;
      if (t === "{") {
        let depth = 1;
        while (depth && at < tokens.length) {
          const u = next();
          if (u === "{") depth++;
          if (u === "}") depth--;
        }
        if (peek() === ";") next();
        return;
      }
    }
  }

  /** A package-qualified path `ns:pkg/name@ver` or a plain name. */
  function parsePath() {
    let path = next();
    if (peek() === ":") {
      next();
      path += ":" + next();
      expect("/");
      path += "/" + next();
    }
    if (peek()?.startsWith("@")) path += next();
    return path;
  }

  /** A type expression (unresolved: named types are `{ kind: "ref", name }`). */
  function parseType() {
    const t = next();
    const args = () => {
      const out = [];
      if (peek() !== "<") return out;
      next();
      while (peek() !== ">") {
        out.push(peek() === "_" ? (next(), null) : parseType());
        if (peek() === ",") next();
      }
      next();
      return out;
    };
    switch (t) {
      case "list": {
        const [elem] = args();
        return { kind: "list", elem };
      }
      case "option": {
        const [inner] = args();
        return { kind: "option", inner };
      }
      case "result": {
        const [ok = null, err = null] = args();
        return { kind: "result", ok, err };
      }
      case "tuple":
        return { kind: "tuple", items: args() };
      case "borrow":
      case "own": {
        const [inner] = args();
        return { kind: t, inner };
      }
      case "future":
      case "stream":
        args();
        return { kind: t };
      default:
        if (PRIMITIVES.has(t)) {
          return { kind: t === "float32" ? "f32" : t === "float64" ? "f64" : t };
        }
        return { kind: "ref", name: t };
    }
  }

  /** A braced, comma-separated list of items read with `item`. */
  function braced(item) {
    expect("{");
    const out = [];
    while (peek() !== "}") {
      out.push(item());
      if (peek() === ",") next();
    }
    next();
    return out;
  }

  /** `(a: t, …)` */
  function parseParams() {
    expect("(");
    const params = [];
    while (peek() !== ")") {
      const name = next();
      expect(":");
      params.push({ name, type: parseType() });
      if (peek() === ",") next();
    }
    next();
    return params;
  }

  /** `func(…) -> t` after the name and colon. */
  function parseFunc() {
    if (peek() === "async") next();
    expect("func");
    const params = parseParams();
    let result = null;
    if (peek() === "->") {
      next();
      result = parseType();
    }
    expect(";");
    return { params, result };
  }

  /** A type definition at `at` (its keyword), added to `scope`. Returns false if none. */
  function parseTypeDef(scope) {
    const keyword = peek();
    if (keyword === "record") {
      next();
      const name = next();
      const fields = braced(() => {
        const field = next();
        expect(":");
        return { name: field, type: parseType() };
      });
      scope.types.set(name, { kind: "record", name, fields });
    } else if (keyword === "variant") {
      next();
      const name = next();
      const cases = braced(() => {
        const c = next();
        let type = null;
        if (peek() === "(") {
          next();
          type = parseType();
          expect(")");
        }
        return { name: c, type };
      });
      scope.types.set(name, { kind: "variant", name, cases });
    } else if (keyword === "enum") {
      next();
      const name = next();
      scope.types.set(name, { kind: "enum", name, cases: braced(() => next()) });
    } else if (keyword === "flags") {
      next();
      const name = next();
      scope.types.set(name, { kind: "flags", name, flags: braced(() => next()) });
    } else if (keyword === "type") {
      next();
      const name = next();
      expect("=");
      scope.types.set(name, parseType());
      expect(";");
    } else if (keyword === "resource") {
      next();
      const name = next();
      scope.types.set(name, { kind: "resource", name });
      skipItem();
    } else {
      return false;
    }
    return true;
  }

  /** `use path.{a, b as c};` */
  function parseUse(scope) {
    expect("use");
    const path = parsePath();
    expect(".");
    for (const item of braced(() => {
      const name = next();
      let alias = name;
      if (peek() === "as") {
        next();
        alias = next();
      }
      return { name, alias };
    })) {
      scope.types.set(item.alias, { use: [path, item.name] });
    }
    expect(";");
  }

  function parseInterface(pkg) {
    expect("interface");
    const name = next();
    const scope = new Scope(pkg);
    pkg.interfaces.set(name, scope);
    expect("{");
    while (peek() !== "}" && at < tokens.length) {
      if (peek() === "use") parseUse(scope);
      else if (!parseTypeDef(scope)) skipItem();
    }
    next();
  }

  function parseWorld(pkg) {
    expect("world");
    const name = next();
    const scope = new Scope(pkg);
    const functions = [];
    const interfaces = [];
    expect("{");
    while (peek() !== "}" && at < tokens.length) {
      const t = peek();
      if (t === "use") {
        parseUse(scope);
      } else if (t === "export" && peek(2) === ":" && (peek(3) === "func" || peek(3) === "async")) {
        next();
        const fname = next();
        next();
        functions.push({ name: fname, ...parseFunc() });
      } else if (t === "export" && (peek(2) !== ":" || peek(4) === "/")) {
        next();
        interfaces.push(parsePath());
        expect(";");
      } else if (!parseTypeDef(scope)) {
        skipItem();
      }
    }
    next();
    pending.push({ name, scope, functions, interfaces });
  }

  /** The items of a package body until `}` (or the end). */
  function parsePackageItems(pkg, nested) {
    while (at < tokens.length && !(nested && peek() === "}")) {
      const t = peek();
      if (t === "interface") parseInterface(pkg);
      else if (t === "world") parseWorld(pkg);
      else if (t === "package") parsePackage();
      else skipItem();
    }
    if (nested) next();
  }

  function parsePackage() {
    expect("package");
    let name = next();
    expect(":");
    name += ":" + next();
    let version = "";
    if (peek()?.startsWith("@")) version = next();
    const pkg = { name, version, interfaces: new Map() };
    packages.set(name + version, pkg);
    if (peek() === ";") {
      next();
      parsePackageItems(pkg, false);
    } else {
      expect("{");
      parsePackageItems(pkg, true);
    }
  }

  while (at < tokens.length) {
    if (peek() === "package") parsePackage();
    else skipItem();
  }

  /** The interface scope a `use` path names, seen from `scope`. */
  function interfaceOf(path, scope) {
    const m = /^([^:/]+:[^/]+)\/([^@]+)(@.*)?$/.exec(path);
    if (!m) return scope.pkg.interfaces.get(path);
    return packages.get(m[1] + (m[3] ?? ""))?.interfaces.get(m[2]);
  }

  /** Resolves named types in `type` against `scope`. */
  function resolve(type, scope, depth = 0) {
    if (!type) return null;
    if (depth > 64) throw new Error("WIT: type nesting too deep");
    const r = (t) => resolve(t, scope, depth + 1);
    switch (type.kind) {
      case "ref": {
        const found = scope.types.get(type.name);
        if (!found) throw new Error(`WIT: unknown type ${type.name}`);
        if (found.use) {
          const iface = interfaceOf(found.use[0], scope);
          if (!iface) throw new Error(`WIT: unknown interface ${found.use[0]}`);
          return resolve({ kind: "ref", name: found.use[1] }, iface, depth + 1);
        }
        return resolve(found, scope, depth + 1);
      }
      case "list":
        return { kind: "list", elem: r(type.elem) };
      case "option":
        return { kind: "option", inner: r(type.inner) };
      case "result":
        return { kind: "result", ok: r(type.ok), err: r(type.err) };
      case "tuple":
        return { kind: "tuple", items: type.items.map(r) };
      case "record":
        return { ...type, fields: type.fields.map((f) => ({ name: f.name, type: r(f.type) })) };
      case "variant":
        return { ...type, cases: type.cases.map((c) => ({ name: c.name, type: r(c.type) })) };
      case "own":
      case "borrow": {
        const inner = r(type.inner);
        return { kind: type.kind, name: inner?.name ?? "resource" };
      }
      default:
        return type;
    }
  }

  for (const world of pending) {
    const functions = world.functions.map((f) => ({
      name: f.name,
      params: f.params.map((p) => ({ name: p.name, type: resolve(p.type, world.scope) })),
      result: resolve(f.result, world.scope),
    }));
    worlds.set(world.name, { functions, interfaces: world.interfaces });
  }
  return { worlds };
}

/** The first world of printed component WIT (a component's WIT has exactly one). */
export function componentExports(text) {
  const { worlds } = parseComponentWit(text);
  const [world] = worlds.values();
  return world ?? { functions: [], interfaces: [] };
}

/** A type as WIT spells it, for labels. */
export function typeName(type) {
  if (!type) return "_";
  switch (type.kind) {
    case "list":
      return `list<${typeName(type.elem)}>`;
    case "option":
      return `option<${typeName(type.inner)}>`;
    case "result":
      return type.ok || type.err ? `result<${typeName(type.ok)}, ${typeName(type.err)}>` : "result";
    case "tuple":
      return `tuple<${type.items.map(typeName).join(", ")}>`;
    case "own":
      return type.name;
    case "borrow":
      return `borrow<${type.name}>`;
    default:
      return type.name ?? type.kind;
  }
}
