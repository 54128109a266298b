#!/usr/bin/env node
// `npx componentize-py`: the componentize-py command line, compiled to wasm.
//
// A build is one short burst of wasm (instrumenting, running and snapshotting CPython): V8's
// baseline compiler alone finishes it sooner than with tier-up, whose optimising compiles compete
// for the CPU and mostly finish after the build. The flag must be set before any wasm is compiled,
// so the command line is imported only afterwards.
import v8 from "node:v8";

v8.setFlagsFromString("--liftoff-only");
const { main } = await import("../lib/cli.js");
process.exitCode = await main(process.argv.slice(2));
