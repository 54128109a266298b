// The form that calls a component's world-level exports: one row per function, with an input
// built from each parameter's WIT type, and the result printed as a WIT value (WAVE syntax).
//
// Inputs produce the JS values jco's bindings take: numbers (BigInt for 64-bit integers),
// strings, booleans, objects with camelCase fields for records, `{ tag, val }` for variants
// and results, case-name strings for enums, flag objects, arrays for lists and tuples, and
// `undefined` for `none`.

/** jco's JS name for a WIT name (`total-area` -> `totalArea`). */
const jsName = (name) => name.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());

const INTEGER = new Set(["s8", "s16", "s32", "s64", "u8", "u16", "u32", "u64"]);
const RANGES = {
  s8: [-(2n ** 7n), 2n ** 7n - 1n],
  s16: [-(2n ** 15n), 2n ** 15n - 1n],
  s32: [-(2n ** 31n), 2n ** 31n - 1n],
  s64: [-(2n ** 63n), 2n ** 63n - 1n],
  u8: [0n, 2n ** 8n - 1n],
  u16: [0n, 2n ** 16n - 1n],
  u32: [0n, 2n ** 32n - 1n],
  u64: [0n, 2n ** 64n - 1n],
};

/** An element with attributes and children. */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") el.className = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) el.setAttribute(k, v === true ? "" : v);
  }
  for (const child of children.flat(Infinity)) {
    if (child !== null && child !== undefined) el.append(child);
  }
  return el;
}

/** An input for a value of `type`: `{ el, get() }` (`get` throws on invalid input). */
export function inputFor(type, label) {
  const kind = type?.kind;
  if (INTEGER.has(kind) || kind === "f32" || kind === "f64") {
    const el = h("input", {
      type: "text",
      inputmode: "decimal",
      class: "value number",
      placeholder: kind,
      "aria-label": label,
      value: "0",
    });
    return {
      el,
      get() {
        const text = el.value.trim();
        if (INTEGER.has(kind)) {
          if (!/^[+-]?\d+$/.test(text)) throw new Error(`${label}: not an integer: "${text}"`);
          const n = BigInt(text);
          const [lo, hi] = RANGES[kind];
          if (n < lo || n > hi) throw new Error(`${label}: out of range for ${kind}`);
          return kind.endsWith("64") ? n : Number(n);
        }
        const n = Number(text);
        if (text === "" || Number.isNaN(n) && !/^nan$/i.test(text)) {
          throw new Error(`${label}: not a number: "${text}"`);
        }
        return n;
      },
    };
  }
  switch (kind) {
    case "bool": {
      const el = h("input", { type: "checkbox", class: "value", "aria-label": label });
      return { el, get: () => el.checked };
    }
    case "char":
    case "string": {
      const el = h("input", {
        type: "text",
        class: "value",
        placeholder: kind,
        "aria-label": label,
        maxlength: kind === "char" ? 2 : undefined,
      });
      return {
        el,
        get() {
          if (kind === "char" && [...el.value].length !== 1) {
            throw new Error(`${label}: a char is exactly one character`);
          }
          return el.value;
        },
      };
    }
    case "enum": {
      const el = h("select", { class: "value", "aria-label": label }, type.cases.map((c) => h("option", { value: c }, c)));
      return { el, get: () => el.value };
    }
    case "flags": {
      const boxes = type.flags.map((f) => [f, h("input", { type: "checkbox", "aria-label": `${label}.${f}` })]);
      const el = h("span", { class: "compound" }, boxes.map(([f, box]) => h("label", { class: "flag" }, box, f)));
      return { el, get: () => Object.fromEntries(boxes.map(([f, box]) => [jsName(f), box.checked])) };
    }
    case "record": {
      const fields = type.fields.map((f) => [f.name, inputFor(f.type, `${label}.${f.name}`)]);
      const el = h(
        "span",
        { class: "compound record" },
        "{ ",
        fields.map(([name, input], i) => [
          h("span", { class: "field" }, h("span", { class: "name" }, `${name}:`), input.el),
          i < fields.length - 1 ? ", " : "",
        ]),
        " }",
      );
      return { el, get: () => Object.fromEntries(fields.map(([name, input]) => [jsName(name), input.get()])) };
    }
    case "tuple": {
      const items = type.items.map((t, i) => inputFor(t, `${label}.${i}`));
      const el = h("span", { class: "compound" }, "(", items.map((it, i) => [it.el, i < items.length - 1 ? ", " : ""]), ")");
      return { el, get: () => items.map((it) => it.get()) };
    }
    case "variant":
    case "result":
    case "option": {
      const cases =
        kind === "variant"
          ? type.cases
          : kind === "result"
            ? [{ name: "ok", type: type.ok }, { name: "err", type: type.err }]
            : [{ name: "none", type: null }, { name: "some", type: type.inner }];
      const select = h("select", { class: "case", "aria-label": label }, cases.map((c) => h("option", { value: c.name }, c.name)));
      if (kind === "option") select.value = "some";
      const slot = h("span", { class: "payload" });
      let payload = null;
      const update = () => {
        const c = cases.find((x) => x.name === select.value);
        payload = c.type ? inputFor(c.type, `${label}.${c.name}`) : null;
        slot.replaceChildren(...(payload ? ["(", payload.el, ")"] : []));
      };
      select.addEventListener("change", update);
      update();
      const el = h("span", { class: "compound" }, select, slot);
      return {
        el,
        get() {
          const value = payload?.get();
          if (kind === "option") return select.value === "none" ? undefined : value;
          return payload ? { tag: select.value, val: value } : { tag: select.value };
        },
      };
    }
    case "list": {
      const items = [];
      const list = h("span", { class: "items" });
      const add = () => {
        const input = inputFor(type.elem, `${label}[${items.length}]`);
        const row = h("span", { class: "item" }, input.el);
        const remove = h("button", { type: "button", class: "small", title: "remove", onclick: () => {
          items.splice(items.indexOf(entry), 1);
          row.remove();
        } }, "−");
        row.append(remove);
        const entry = { input, row };
        items.push(entry);
        list.append(row);
      };
      const el = h(
        "span",
        { class: "compound list" },
        "[",
        list,
        h("button", { type: "button", class: "small add-item", title: "add an element", onclick: add }, "+"),
        "]",
      );
      return { el, get: () => items.map((it) => it.input.get()) };
    }
    default: {
      const el = h("span", { class: "unsupported" }, `(${typeName(type)}: not supported in the form)`);
      return {
        el,
        get() {
          throw new Error(`${label}: values of type ${typeName(type)} cannot be entered here`);
        },
      };
    }
  }
}

/** A JS value from jco as a WIT value in WAVE syntax, guided by its WIT `type`. */
export function formatValue(value, type) {
  const kind = type?.kind;
  switch (kind) {
    case undefined:
      return String(value);
    case "f32":
    case "f64": {
      if (Number.isNaN(value)) return "nan";
      if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
      return Number.isInteger(value) && Math.abs(value) < 1e21 ? value.toFixed(1) : String(value);
    }
    case "string":
      return JSON.stringify(value);
    case "char":
      return `'${value === "'" ? "\\'" : value}'`;
    case "enum":
      return value;
    case "flags":
      return `{${type.flags.filter((f) => value?.[jsName(f)]).join(", ")}}`;
    case "record":
      return `{${type.fields.map((f) => `${f.name}: ${formatValue(value[jsName(f.name)], f.type)}`).join(", ")}}`;
    case "tuple":
      return `(${type.items.map((t, i) => formatValue(value[i], t)).join(", ")})`;
    case "list":
      return `[${Array.from(value, (v) => formatValue(v, type.elem)).join(", ")}]`;
    case "option":
      return value === undefined || value === null ? "none" : `some(${formatValue(value, type.inner)})`;
    case "result": {
      const c = value.tag === "err" ? type.err : type.ok;
      return c ? `${value.tag}(${formatValue(value.val, c)})` : value.tag;
    }
    case "variant": {
      const c = type.cases.find((x) => x.name === value.tag);
      return c?.type ? `${value.tag}(${formatValue(value.val, c.type)})` : value.tag;
    }
    case "own":
    case "borrow":
      return `<${type.name} handle>`;
    default:
      return String(value);
  }
}

/**
 * Builds the call form for `functions` into `container`. `call(name, args)` resolves to
 * `{ ok, value, ms }` (ok false: a `result`'s err case) or rejects with a trap.
 */
export function renderCallForm(container, functions, call) {
  container.replaceChildren();
  for (const f of functions) {
    const inputs = f.params.map((p) => [p, inputFor(p.type, `${f.name}.${p.name}`)]);
    const output = h("output", { class: "result", "data-function": f.name });
    const button = h("button", { type: "submit", class: "call" }, "Call");
    const signature = `${f.name}: func(${f.params.map((p) => `${p.name}: ${typeName(p.type)}`).join(", ")})${f.result ? ` -> ${typeName(f.result)}` : ""}`;
    const form = h(
      "form",
      { class: "call-form", "data-function": f.name },
      h("code", { class: "signature" }, signature),
      h(
        "div",
        { class: "params" },
        inputs.map(([p, input]) =>
          h("span", { class: "param" }, h("span", { class: "name" }, `${p.name}:`), input.el),
        ),
        button,
      ),
      output,
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      output.className = "result";
      let args;
      try {
        args = inputs.map(([, input]) => input.get());
      } catch (error) {
        output.textContent = error.message;
        output.classList.add("error");
        return;
      }
      button.disabled = true;
      output.textContent = "calling…";
      try {
        const { ok, value, ms } = await call(f.name, args);
        let text;
        if (f.result?.kind === "result") {
          text = formatValue({ tag: ok ? "ok" : "err", val: value }, f.result);
        } else {
          text = f.result ? formatValue(value, f.result) : "()";
        }
        output.textContent = `${text}`;
        output.title = `${ms.toFixed(1)} ms`;
        output.classList.add(ok ? "ok" : "err");
      } catch (error) {
        output.textContent = `trap: ${error.message}`;
        output.classList.add("error");
      } finally {
        button.disabled = false;
      }
    });
    container.append(form);
  }
}

/** A type (as the componentizer describes it) spelled as in WIT, for labels. */
function typeName(type) {
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
