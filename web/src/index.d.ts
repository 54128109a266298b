/** A file tree: path (relative, `/`-separated) → contents. */
export type Files = Record<string, Uint8Array | string> | Map<string, Uint8Array | string>;

/** The settings of the CLI's global flags. */
export interface WorldOptions {
  /** The app's files and the WIT, as a tree. */
  files: Files;
  /** `-d/--wit-path` (default `["wit"]`). */
  witPath?: string | string[];
  /** `-w/--world`; several are merged. */
  world?: string | string[];
  /** `--features` (comma-separated lists). */
  features?: string | string[];
  /** `--all-features`. */
  allFeatures?: boolean;
  /** `--world-module` (default `wit_world`). */
  worldModule?: string;
  /** `--import-interface-name INTERFACE=NAME`. */
  importInterfaceNames?: Record<string, string>;
  /** `--export-interface-name INTERFACE=NAME`. */
  exportInterfaceNames?: Record<string, string>;
  /** `--full-names`. */
  fullNames?: boolean;
}

/** A stage of the build. */
export type Stage =
  | "dependencies"
  | "wit"
  | "bindings"
  | "bundle"
  | "instrument"
  | "initialize"
  | "snapshot"
  | "link"
  | "component";

/** A progress event. */
export interface ProgressEvent {
  stage: Stage;
  description: string;
  /** How long the stage took (in the events of the result). */
  elapsedMs?: number;
}

/** The settings of `componentize` (the CLI's `componentize` flags). */
export interface ComponentizeOptions extends WorldOptions {
  /** `APP_NAME`: the module holding the app. */
  appName: string;
  /** `-p/--python-path` (default `["."]`). */
  pythonPath?: string | string[];
  /** `-m/--module-worlds MODULE=WORLD`. */
  moduleWorlds?: Record<string, string> | [string, string][];
  /** `-i/--intersect-world`. */
  intersectWorld?: string;
  /** `-s/--stub-wasi`. */
  stubWasi?: boolean;
  /** `-r/--requirements`: requirements files, `pyproject.toml`s or PEP 751 locks among `files`. */
  requirements?: string | string[];
  /** `--extra`. */
  extras?: string | string[];
  /** `--group`. */
  groups?: string | string[];
  /** `--index-url` (default `https://pypi.org/simple`). */
  indexUrl?: string;
  /** `--extra-index-url`. */
  extraIndexUrl?: string | string[];
  /** `--find-links`: directories of wheels among `files`. */
  findLinks?: string | string[];
  /** `--no-deps`. */
  noDeps?: boolean;
  /** `--locked`. */
  locked?: boolean;
  /** `--offline`. */
  offline?: boolean;
  /** Fetches the index's pages and wheels (default: the global `fetch`). */
  fetch?: (url: string, init: { headers: Record<string, string>; signal: AbortSignal }) => Promise<Response>;
  /**
   * The wheel cache, keyed by SHA-256 (default: the native CLI's cache in Node, the Cache API in
   * browsers); `false` for none.
   */
  wheelCache?: WheelCache | false;
  /**
   * Called as each stage starts; the `dependencies` stage repeats while packages are fetched, its
   * description saying how far it is.
   */
  onProgress?: (event: ProgressEvent) => void;
  /** Called once the bindings are generated (also when a later stage fails): path → contents. */
  onBindings?: (bindings: Record<string, string>) => void;
}

/** A store of verified wheels by SHA-256 (lowercase hex); its failures only cost downloads. */
export interface WheelCache {
  get(sha256: string): Promise<Uint8Array | undefined>;
  put(sha256: string, bytes: Uint8Array): Promise<void>;
}

/** The app's dependencies as a build installed them. */
export interface Dependencies {
  /** The packages, sorted by name. */
  packages: { name: string; version: string }[];
  /** The CLI's progress line: packages, wheels from the cache, requests and bytes fetched. */
  summary: string;
  elapsedMs: number;
  /** The lock the CLI would write (absent when the lock among the files is up to date). */
  lock?: { path: string; text: string };
}

/** The guest runtime artifacts. */
export interface RuntimeArtifacts {
  module: Uint8Array;
  stdlib: Uint8Array;
}

/** Overrides for `componentize`. */
export interface Extra {
  runtime?: RuntimeArtifacts;
  engine?: Engine;
}

/** The pre-init engine on the WebAssembly API. */
export declare class Engine {
  constructor(options?: { trace?: (line: string) => void });
}

/** Builds a component; rejects with the CLI's error message. */
export declare function componentize(
  options: ComponentizeOptions,
  extra?: Extra,
): Promise<{ component: Uint8Array; events: ProgressEvent[]; dependencies?: Dependencies }>;

/** Generates the Python bindings: path → contents. */
export declare function bindings(options: WorldOptions): Promise<Record<string, string>>;

/** A world that WIT offers, named as `world` takes it. */
export interface WorldName {
  name: string;
  /** Whether it belongs to a package named by `witPath` (not one of `deps/`). */
  main: boolean;
}

/** The worlds the options' WIT offers, built-in WASI left out. */
export declare function worlds(options: WorldOptions): Promise<WorldName[]>;

/** A WIT type as `componentExports` describes it. */
export type WitType =
  | { kind: "bool" | "s8" | "s16" | "s32" | "s64" | "u8" | "u16" | "u32" | "u64" | "f32" | "f64" | "char" | "string" }
  | { kind: "list"; elem: WitType }
  | { kind: "option"; inner: WitType }
  | { kind: "result"; ok: WitType | null; err: WitType | null }
  | { kind: "tuple"; items: WitType[] }
  | { kind: "record"; name: string; fields: { name: string; type: WitType }[] }
  | { kind: "variant"; name: string; cases: { name: string; type: WitType | null }[] }
  | { kind: "enum"; name: string; cases: string[] }
  | { kind: "flags"; name: string; flags: string[] }
  | { kind: "resource" | "own" | "borrow"; name: string }
  | { kind: "unsupported"; name: string };

/** What a component exports: world-level functions and interfaces (`wasi:cli/run@0.2.0`). */
export declare function componentExports(component: Uint8Array): Promise<{
  functions: { name: string; params: { name: string; type: WitType }[]; result: WitType | null }[];
  interfaces: string[];
}>;

/** Loads the runtime artifacts shipped with the package. */
export declare function loadRuntime(): Promise<RuntimeArtifacts>;

/** The command line's host: file system and stdio, synchronous. */
export interface CliHost {
  kind(path: string): "file" | "dir" | null;
  read(path: string): Uint8Array;
  list(path: string): string[];
  writeFile(path: string, bytes: Uint8Array): void;
  env(name: string): string | undefined;
  print(line: string): void;
  eprint(line: string): void;
  now(): number;
  /**
   * Fetches the requests, blocking (`url` to fetch, with `accept` and `authorization` as headers):
   * bytes, `null` for a 404 or 410, or `{ error }` each.
   */
  fetchAll(
    requests: { url: string; accept?: string; authorization?: string }[],
  ): (Uint8Array | null | { error: string })[];
  /** A cached wheel by SHA-256, or `null`. */
  cachedWheel(sha256: string): Uint8Array | null;
  /** Stores a verified wheel. */
  cacheWheel(sha256: string, bytes: Uint8Array): void;
}

/** Runs the `componentize-py` command line (without the program name); resolves to the exit code. */
export declare function runCli(argv: string[], host: CliHost, extra?: Extra): Promise<number>;
