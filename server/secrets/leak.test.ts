import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

// Opsdeck's own secrets, and variables the config uses, as a running Opsdeck has them.
const S = vi.hoisted(() => {
  const values = {
    OPSDECK_SECRET: "leak-test-session-key-0123456789abcdef",
    OPSDECK_ADMIN_PASSWORD: "leak-test-admin-password-0123",
    OPSDECK_METRICS_TOKEN: "leak-test-metrics-token-0123456789abcdef",
    LEAK_ARGV_TOKEN: "argv-token-from-the-environment-0123",
    LEAK_CHILD_PASSWORD: "named-for-the-child-0123456789",
    LEAK_BACKUP_ARG: "backup-argument-secret-0123456789",
    LEAK_CI_TOKEN: "ci-ingest-token-for-the-leak-test-0123456789",
    LEAK_UNNAMED: "never-named-anywhere-0123456789",
  };
  Object.assign(process.env, values);
  return values;
});

import { parseConfig } from "@/server/config/load";
import { setConfigForTests } from "@/server/config";
import type { Db } from "@/server/db";
import { auditLog, backups, deployments, jobLogs, jobs } from "@/server/db/schema";
import { upsertDeployment } from "@/server/deployments/record";
import "@/server/jobs/kinds";
import { enqueueJob } from "@/server/jobs/queue";
import { JobRunner } from "@/server/jobs/runner";
import { createLogger } from "@/server/logger";
import { getJob, jobLogsAfter, toJobLogView, toJobView } from "@/server/queries/jobs";
import { freshDb } from "@/test/db";

const LEAKY = path.resolve(__dirname, "..", "..", "e2e", "fixtures", "leaky-command.mjs");
const secrets = Object.entries(S)
  .filter(([k]) => k !== "LEAK_UNNAMED")
  .map(([, v]) => v);
const b64 = (s: string) => Buffer.from(s).toString("base64");

function configText(dest: string, fail: boolean) {
  const flag = fail ? ", --fail" : "";
  return `
environments:
  - { id: staging, name: Staging }
services:
  - id: leaky
    name: Leaky
    environments:
      staging:
        url: "http://127.0.0.1:9"
        deploy:
          provider: command
          rollback: [node, "${LEAKY}"${flag}, "--token=\${LEAK_ARGV_TOKEN}"]
          env: [LEAK_CHILD_PASSWORD]
backups:
  - id: leaky-dump
    service: leaky
    environment: staging
    source:
      type: command
      command: [node, "${LEAKY}", --dump${flag}, "\${LEAK_BACKUP_ARG}"]
      env: [LEAK_CHILD_PASSWORD]
    destination: { type: local, path: "${dest}" }
integrations:
  - { id: ci, token: "\${LEAK_CI_TOKEN}" }
`;
}

async function runJob(db: Db, kind: string, params: unknown): Promise<number> {
  const { job } = enqueueJob(db, { kind, params, requestedBy: { id: null, name: "op" } });
  const runner = new JobRunner(db, { concurrency: 1, pollMs: 20 });
  runner.start();
  await vi.waitFor(
    () => {
      const row = db
        .select()
        .from(jobs)
        .all()
        .find((j) => j.id === job.id);
      expect(row?.status).toMatch(/succeeded|failed/);
    },
    { timeout: 15_000, interval: 50 },
  );
  await runner.stop(1_000);
  return job.id;
}

/** Everything a viewer can read about the jobs, and every stored text the runs produced. */
function everythingStored(db: Db): string {
  const views = db
    .select()
    .from(jobs)
    .all()
    .map((j) => ({
      job: toJobView(getJob(db, j.id)!),
      log: jobLogsAfter(db, j.id, 0).map(toJobLogView),
    }));
  return JSON.stringify({
    views,
    jobs: db.select().from(jobs).all(),
    logs: db.select().from(jobLogs).all(),
    backups: db.select().from(backups).all(),
    deployments: db.select().from(deployments).all(),
    audit: db.select().from(auditLog).all(),
  });
}

describe("a deploy and a backup command that print every secret they can find", () => {
  for (const fail of [false, true]) {
    describe(fail ? "and then fail" : "and succeed", () => {
      let db: Db;
      let stored: string;

      beforeAll(async () => {
        db = freshDb();
        const dest = fs.mkdtempSync(path.join(os.tmpdir(), "opsdeck-leak-"));
        const parsed = parseConfig(configText(dest, fail), "leak.yaml", (n) => process.env[n]);
        setConfigForTests(parsed.config, parsed.secrets);
        const target = upsertDeployment(db, {
          service: "leaky",
          environment: "staging",
          version: "1.0.0",
          status: "succeeded",
          startedAt: new Date(Date.now() - 60_000),
          source: "ci",
          reportedBy: "ci",
        }).deployment;
        await runJob(db, "deploy.action", { action: "rollback", deploymentId: target.id });
        await runJob(db, "backup.run", { backup: "leaky-dump", kind: "manual" });
        stored = everythingStored(db);
      });

      it("ran them: their output is in the job logs", () => {
        expect(stored).toContain("LEAK env PATH=");
        expect(stored).toContain("LEAK env OPSDECK_TARGET_VERSION=1.0.0");
        expect(stored).toContain("[redacted]");
      });

      it("gave them only PATH, HOME, LANG, TZ, LC_*, their OPSDECK_TARGET_* and the named variables", () => {
        expect(stored).toContain("LEAK env LEAK_CHILD_PASSWORD=[redacted]");
        expect(stored).not.toMatch(/LEAK env OPSDECK_(SECRET|ADMIN_PASSWORD|METRICS_TOKEN)=/);
        expect(stored).not.toContain("LEAK env LEAK_UNNAMED=");
        expect(stored).not.toContain("LEAK env LEAK_ARGV_TOKEN=");
      });

      it("stores none of the secret values, plain or base64-encoded", () => {
        for (const value of secrets) {
          expect(stored).not.toContain(value);
          expect(stored).not.toContain(b64(value).slice(0, 16));
        }
      });

      it("logs the command line with the variable's name, not its value", () => {
        expect(stored).toContain("--token=${LEAK_ARGV_TOKEN}");
      });
    });
  }
});

describe("Opsdeck's own log", () => {
  it("never prints a known secret value, whatever the message or error holds", () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const log = createLogger("debug", sink);
    log.info({ context: { line: `token=${S.LEAK_CI_TOKEN}` } }, `job line ${S.OPSDECK_SECRET}`);
    log.warn({ error: new Error(`failed: ${S.LEAK_CHILD_PASSWORD}`) }, "job failed");
    const out = lines.join("");
    expect(out).toContain("job line [redacted]");
    for (const value of [S.LEAK_CI_TOKEN, S.OPSDECK_SECRET, S.LEAK_CHILD_PASSWORD])
      expect(out).not.toContain(value);
  });
});

afterAll(() => {
  for (const k of Object.keys(S)) delete process.env[k];
});
