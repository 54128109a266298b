// The examples to start from. Each is a whole project: files, the world to build and the flags.
// Loading one replaces the editors' contents.

/** @typedef {{ path: string, text: string }} ProjectFile */
/** @typedef {{ files: ProjectFile[], world: string, stubWasi: boolean, args: string }} Project */

const HELLO_APP = `"""Hello world as a \`wasi:cli/command\` component: \`run\` is called once."""

import sys

from wit_world import exports


class Run(exports.Run):
    def run(self) -> None:
        name = sys.argv[1] if len(sys.argv) > 1 else "world"
        print(f"Hello, {name}!")
        print("(this line goes to stderr)", file=sys.stderr)
`;

const SHAPES_WIT = `package example:shapes;

/// A running tally, kept between calls: an exported resource.
interface tally {
  resource board {
    constructor(label: string);
    /// Adds an area; returns how many were added so far.
    add: func(area: f64) -> u32;
    total: func() -> f64;
    label: func() -> string;
  }
}

/// A custom world: records, variants, an enum, world-level exports and a resource.
world shapes {
  record point {
    x: f64,
    y: f64,
  }

  variant shape {
    circle(f64),
    rectangle(point),
    dot,
  }

  enum unit {
    metres,
    feet,
  }

  /// The area of \`s\`.
  export area: func(s: shape) -> f64;
  /// \`p\` scaled by \`factor\`.
  export scale: func(p: point, factor: f64) -> point;
  /// A sentence about \`s\` in \`u\`; fails for negative sizes.
  export describe: func(s: shape, u: unit) -> result<string, string>;
  export tally;
}
`;

const SHAPES_APP = `"""The shapes world's exports: functions at world level, the tally interface in tally.py."""

import math

import wit_world
from componentize_py_types import Err
from wit_world import Point, Shape, Shape_Circle, Shape_Dot, Shape_Rectangle, Unit


class WitWorld(wit_world.WitWorld):
    def area(self, s: Shape) -> float:
        if isinstance(s, Shape_Circle):
            return math.pi * s.value * s.value
        if isinstance(s, Shape_Rectangle):
            return s.value.x * s.value.y
        return 0.0

    def scale(self, p: Point, factor: float) -> Point:
        return Point(x=p.x * factor, y=p.y * factor)

    def describe(self, s: Shape, u: Unit) -> str:
        area = self.area(s)
        if area < 0 or (isinstance(s, Shape_Circle) and s.value < 0):
            raise Err("sizes must not be negative")
        unit = "m²" if u == Unit.METRES else "ft²"
        kind = type(s).__name__.removeprefix("Shape_").lower()
        return f"a {kind} of {area:.2f} {unit}"
`;

const SHAPES_TALLY = `"""The exported resource: a class named after it, in a module named after its interface."""

from wit_world.exports import tally


class Board(tally.Board):
    def __init__(self, label: str) -> None:
        self._label = label
        self._areas: list[float] = []

    def add(self, area: float) -> int:
        self._areas.append(area)
        return len(self._areas)

    def total(self) -> float:
        return sum(self._areas)

    def label(self) -> str:
        return self._label
`;

const PURE_WIT = `package example:pure;

/// Pure functions: built with --stub-wasi, the component imports nothing at all.
world pure {
  /// The number of words in \`text\`.
  export word-count: func(text: string) -> u32;
  /// The n-th Fibonacci number.
  export fib: func(n: u32) -> u64;
  /// \`xs\` sorted, without duplicates.
  export unique-sorted: func(xs: list<s32>) -> list<s32>;
}
`;

const PURE_APP = `"""Pure functions, no WASI: with --stub-wasi, WASI calls would fail with ENOSYS."""

from typing import List

import wit_world


class WitWorld(wit_world.WitWorld):
    def word_count(self, text: str) -> int:
        return len(text.split())

    def fib(self, n: int) -> int:
        a, b = 0, 1
        for _ in range(n):
            a, b = b, a + b
        return a

    def unique_sorted(self, xs: List[int]) -> List[int]:
        return sorted(set(xs))
`;

const PACKAGES_PYPROJECT = `# The build reads [project].dependencies, resolves them against PyPI for the component's
# CPython (pure-Python wheels only) and bundles the wheels it downloads (cached in the browser).
[project]
name = "packages-demo"
version = "0.1.0"
requires-python = ">=3.12"
dependencies = ["attrs>=23", "humanize>=4"]
`;

const PACKAGES_APP = `"""Packages from PyPI, listed in pyproject.toml: attrs for a record type, humanize for sizes."""

from importlib.metadata import version

import attrs
import humanize

from wit_world import exports


@attrs.frozen
class Download:
    name: str
    size: int


class Run(exports.Run):
    def run(self) -> None:
        downloads = [Download("runtime.wasm", 13_811_517), Download("stdlib.zip", 2_737_114)]
        for d in downloads:
            print(f"{d.name}: {humanize.naturalsize(d.size)}")
        print(f"in all {humanize.intcomma(sum(d.size for d in downloads))} bytes")
        print(f"attrs {version('attrs')}, humanize {version('humanize')}")
`;

/** The examples, by id. */
export const EXAMPLES = {
  hello: {
    title: "Hello world (wasi:cli/command)",
    project: {
      files: [{ path: "app.py", text: HELLO_APP }],
      world: "wasi:cli/command@0.2.0",
      stubWasi: false,
      args: "Python",
    },
  },
  shapes: {
    title: "Custom world: records, variants, a resource",
    project: {
      files: [
        { path: "wit/world.wit", text: SHAPES_WIT },
        { path: "app.py", text: SHAPES_APP },
        { path: "tally.py", text: SHAPES_TALLY },
      ],
      world: "shapes",
      stubWasi: false,
      args: "",
    },
  },
  packages: {
    title: "Packages from PyPI (pyproject.toml)",
    project: {
      files: [
        { path: "app.py", text: PACKAGES_APP },
        { path: "pyproject.toml", text: PACKAGES_PYPROJECT },
      ],
      world: "wasi:cli/command@0.2.0",
      stubWasi: false,
      args: "",
    },
  },
  pure: {
    title: "Pure functions (--stub-wasi)",
    project: {
      files: [
        { path: "wit/world.wit", text: PURE_WIT },
        { path: "app.py", text: PURE_APP },
      ],
      world: "pure",
      stubWasi: true,
      args: "",
    },
  },
};

export const DEFAULT_EXAMPLE = "hello";

/** A deep copy of an example's project. */
export function exampleProject(id) {
  return structuredClone(EXAMPLES[id].project);
}
