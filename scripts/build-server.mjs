// Compiles the HTTP server (scripts/server.ts), the engine threads' entry
// (server/engine/main.ts) and the query worker's (server/tsdb/query-worker.ts) for
// `npm start`, so production runs plain node.
import { build } from "esbuild";
import { bundleEngine, nodeBundle } from "./engine-bundle.mjs";

await build({
  ...nodeBundle,
  sourcemap: "linked",
  entryPoints: ["scripts/server.ts"],
  outfile: ".next/opsdeck-server.mjs",
});
await bundleEngine({ entry: "server/engine/main.ts", outfile: ".next/opsdeck-engine.mjs" });
await bundleEngine({ entry: "server/tsdb/query-worker.ts", outfile: ".next/opsdeck-query.mjs" });
