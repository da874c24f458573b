// Compiles the HTTP server (scripts/server.ts) and the engine thread (server/engine/main.ts)
// for `npm start`, so production runs plain node. Packages stay in node_modules.
import { build } from "esbuild";

/** `server-only` guards Next's bundles; in the engine thread it is an empty module. */
const serverOnly = {
  name: "server-only",
  setup(b) {
    b.onResolve({ filter: /^server-only$/ }, () => ({ path: "server-only", namespace: "empty" }));
    b.onLoad({ filter: /.*/, namespace: "empty" }, () => ({ contents: "" }));
  },
};

const common = {
  bundle: true,
  packages: "external",
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: "linked",
  logLevel: "warning",
};

await build({ ...common, entryPoints: ["scripts/server.ts"], outfile: ".next/opsdeck-server.mjs" });
await build({
  ...common,
  entryPoints: ["server/engine/main.ts"],
  outfile: ".next/opsdeck-engine.mjs",
  plugins: [serverOnly],
});
