import fs from "node:fs";
import os from "node:os";
import path from "node:path";

// Every test file gets its own data directory under the OS temp dir; the
// database module refuses any other location while NODE_ENV is "test".
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-test-"));
process.env.OPSDECK_DATA_DIR = dir;
(process.env as Record<string, string>).NODE_ENV = "test";
process.env.OPSDECK_CONFIG ??= path.join(__dirname, "..", "opsdeck.example.yaml");
