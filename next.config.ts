import type { NextConfig } from "next";
// Validates the environment at build and at start: a bad variable fails fast.
import "./env";

const nextConfig: NextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  // Loaded from node_modules at run time, so the HTTP server and the app share one
  // prom-client registry, and native modules are never bundled.
  // @next/env too: config reload re-reads .env files with the copy Next itself loaded them with.
  serverExternalPackages: [
    "prom-client",
    "better-sqlite3",
    "@node-rs/argon2",
    "pino",
    "croner",
    "@next/env",
  ],
  typedRoutes: false,
};

export default nextConfig;
