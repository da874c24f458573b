import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      "@": root,
      "server-only": path.join(root, "test/server-only-stub.ts"),
    },
  },
  test: {
    environment: "node",
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", ".next/**", "e2e/**"],
    pool: "forks",
    testTimeout: 20_000,
    // Tests never touch ./data: the database module refuses any directory outside the
    // OS temp dir while NODE_ENV is "test", and each test makes its own (test/db.ts).
    env: {
      NODE_ENV: "test",
      OPSDECK_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-test-")),
      OPSDECK_CONFIG: path.join(root, "opsdeck.example.yaml"),
    },
  },
});
