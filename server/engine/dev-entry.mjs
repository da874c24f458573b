// @ts-check
// In development and tests the engine thread runs from the TypeScript source: this
// plain module installs tsx's loaders in the new thread (a worker does not inherit
// them) and imports the entry the host named. Production runs the bundle instead
// (.next/opsdeck-engine.mjs, built by scripts/build-server.mjs).
import { workerData } from "node:worker_threads";
import { register as registerCjs } from "tsx/cjs/api";
import { register as registerEsm } from "tsx/esm/api";

registerCjs();
registerEsm();
await import(/** @type {{ entry: string }} */ (workerData).entry);
