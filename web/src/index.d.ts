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
  /** Called as each stage starts. */
  onProgress?: (event: ProgressEvent) => void;
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
): Promise<{ component: Uint8Array; events: ProgressEvent[] }>;

/** Generates the Python bindings: path → contents. */
export declare function bindings(options: WorldOptions): Promise<Record<string, string>>;

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
}

/** Runs the `componentize-py` command line (without the program name); resolves to the exit code. */
export declare function runCli(argv: string[], host: CliHost, extra?: Extra): Promise<number>;
