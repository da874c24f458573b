// @ts-check
// Bundles an engine-thread entry (server/engine/main.ts, or a test's wrapper of it) into
// one ES module that plain node runs in a worker thread: `npm run build` writes
// .next/opsdeck-engine.mjs; in development and tests server/engine/host.ts runs this
// file as a command (`node scripts/engine-bundle.mjs <entry> <outfile>`), so every mode
// runs the same kind of bundle. Packages stay in node_modules, so the output must live
// inside the project for them to resolve.
import fs from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

/** Options shared with the HTTP server's bundle (scripts/build-server.mjs). */
export const nodeBundle = /** @type {const} */ ({
  bundle: true,
  packages: "external",
  platform: "node",
  format: "esm",
  target: "node20",
  logLevel: "warning",
});

/**
 * `server-only` guards Next's bundles: here it is an empty module. `@sentry/nextjs` is
 * not loaded in an engine thread (it is large, and Sentry is set up in the HTTP thread):
 * server/sentry.ts forwards the thread's errors there, so the only export it uses is
 * a stub that is never reached. Using another export fails this build, on purpose.
 * @type {import("esbuild").Plugin}
 */
const engineThread = {
  name: "engine-thread",
  setup(b) {
    b.onResolve({ filter: /^(server-only|@sentry\/nextjs)$/ }, (args) => ({
      path: args.path,
      namespace: "engine-thread",
    }));
    b.onLoad({ filter: /.*/, namespace: "engine-thread" }, (args) => ({
      contents: args.path === "server-only" ? "" : "export function captureException() {}",
    }));
  },
};

/** @param {{ entry: string, outfile: string, sourcemap?: "linked" | "inline" }} opts */
export async function bundleEngine({ entry, outfile, sourcemap = "linked" }) {
  await build({
    ...nodeBundle,
    sourcemap,
    entryPoints: [entry],
    outfile,
    plugins: [engineThread],
  });
}

// As a command: build to a temporary name, then rename, so that a process reading the
// file (another test run, a second thread) never sees half of it.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [entry, outfile] = process.argv.slice(2);
  if (!entry || !outfile) {
    console.error("usage: node scripts/engine-bundle.mjs <entry.ts> <outfile.mjs>");
    process.exit(2);
  }
  const partial = `${outfile}.${process.pid}.partial.mjs`;
  await bundleEngine({ entry, outfile: partial, sourcemap: "inline" });
  fs.renameSync(partial, outfile);
}
