// Compiles the HTTP server (scripts/server.ts) and the engine threads' entry
// (server/engine/main.ts) for `npm start`, so production runs plain node.
import { build } from "esbuild";
import { bundleEngine, nodeBundle } from "./engine-bundle.mjs";

await build({
  ...nodeBundle,
  sourcemap: "linked",
  entryPoints: ["scripts/server.ts"],
  outfile: ".next/opsdeck-server.mjs",
});
await bundleEngine({ entry: "server/engine/main.ts", outfile: ".next/opsdeck-engine.mjs" });
