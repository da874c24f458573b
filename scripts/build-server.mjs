// Compiles the HTTP server (scripts/server.ts) for `npm start`, so production runs plain node.
import { build } from "esbuild";

await build({
  entryPoints: ["scripts/server.ts"],
  outfile: ".next/opsdeck-server.mjs",
  bundle: true,
  packages: "external",
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: "linked",
  logLevel: "warning",
});
