#!/usr/bin/env node
// `npx componentize-py`: the componentize-py command line, compiled to wasm.
import { main } from "../lib/cli.js";

process.exitCode = await main(process.argv.slice(2));
