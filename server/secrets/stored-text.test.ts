import http from "node:http";
import type { AddressInfo } from "node:net";
import { beforeEach, describe, expect, it } from "vitest";
import { evaluateRules } from "@/server/alerts/evaluate";
import { enqueueNotification } from "@/server/alerts/dispatch";
import { OutboxSender } from "@/server/alerts/outbox";
import { writeAudit } from "@/server/audit/write";
import { parseConfig } from "@/server/config/load";
import type { Db } from "@/server/db";
import {
  alerts,
  auditLog,
  backups,
  channelState,
  checkResults,
  deployments,
  incidents,
  monitorState,
  notifications,
} from "@/server/db/schema";
import { upsertDeployment } from "@/server/deployments/record";
import { recordPing } from "@/server/monitors/heartbeat";
import { freshDb } from "@/test/db";
import { testPayload } from "@/test/notification";
import { addConfigSecrets, resetSecretsForTests } from "./redact";

// A value that becomes known only now (a reload, say) must not survive in text built later.
const SECRET = "stored-text-secret-value-0123456789";
const HB = "heartbeat-token-for-stored-text-0123456789";
let db: Db;

beforeEach(() => {
  db = freshDb();
  resetSecretsForTests();
  addConfigSecrets([{ value: SECRET, name: "SOME_TOKEN" }]);
});

const dump = (rows: unknown) => JSON.stringify(rows);

describe("text Opsdeck stores from outside holds no known secret", () => {
  it("heartbeat failures and their messages (check results, monitor state, incidents)", () => {
    const { config } = parseConfig(
      `environments: [{ id: production, name: Production }]
services: [{ id: api, name: API, environments: { production: { url: "http://127.0.0.1:9" } } }]
monitors:
  - { id: nightly, service: api, environment: production, type: heartbeat, token: "\${HB}" }
`,
      "x.yaml",
      (n) => (n === "HB" ? HB : undefined),
    );
    const monitor = config.monitors[0]!;
    if (monitor.type !== "heartbeat") throw new Error("expected a heartbeat monitor");
    recordPing(
      db,
      monitor,
      { kind: "fail", message: `pg_dump: password ${SECRET} refused` },
      Date.now(),
      () => false,
    );
    const stored = dump([
      db.select().from(checkResults).all(),
      db.select().from(monitorState).all(),
      db.select().from(incidents).all(),
    ]);
    expect(stored).toContain("[redacted]");
    expect(stored).not.toContain(SECRET);
  });

  it("alert summaries built from older rows", () => {
    db.insert(backups)
      .values({
        jobId: "nightly",
        kind: "scheduled",
        status: "failed",
        startedAt: new Date(Date.now() - 60_000),
        finishedAt: new Date(Date.now() - 30_000),
        requestedBy: "scheduler",
        error: `the command exited with 1: auth ${SECRET}`,
      })
      .run();
    const { config } = parseConfig(
      `environments: [{ id: production, name: Production }]
services: [{ id: api, name: API, environments: { production: { url: "http://127.0.0.1:9" } } }]
backups:
  - { id: nightly, service: api, environment: production, source: { type: command, command: [pg_dump] }, destination: { type: local, path: /tmp/x } }
alerts:
  rules:
    - { id: backup-failed, name: Backup failed, severity: critical, condition: { type: backup, onFailure: true } }
`,
      "x.yaml",
      () => undefined,
    );
    evaluateRules(db, config, Date.now());
    const rows = db.select().from(alerts).all();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.summary).toContain("[redacted]");
    expect(dump(rows)).not.toContain(SECRET);
  });

  it("a notification receiver's error answer, on the row and on the channel", async () => {
    const server = http.createServer((req, res) => {
      req.resume();
      res.writeHead(400, { "content-type": "text/plain" }).end(`invalid token ${SECRET}`);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    try {
      const { config } = parseConfig(
        `environments: [{ id: production, name: Production }]
alerts:
  channels:
    - { id: hook, type: webhook, url: "${url}", secret: "\${HOOK}" }
`,
        "x.yaml",
        () => "webhook-signing-secret-0123456789abcdef",
      );
      enqueueNotification(db, {
        channels: ["hook"],
        kind: "test",
        dedupeKey: "t1",
        alertIds: [],
        payload: testPayload,
        now: Date.now(),
      });
      await Promise.all(new OutboxSender(db, config).tick());
      const stored = dump([
        db.select().from(notifications).all(),
        db.select().from(channelState).all(),
      ]);
      expect(stored).toContain("invalid token [redacted]");
      expect(stored).not.toContain(SECRET);
    } finally {
      server.close();
    }
  });

  it("deployment messages reported by CI or a platform", () => {
    upsertDeployment(db, {
      service: "api",
      environment: "production",
      version: "1.2.3",
      status: "failed",
      startedAt: new Date(),
      message: `deploy failed: curl -H "Authorization: Bearer ${SECRET}"`,
      providerStatus: `error ${SECRET}`,
      source: "ci",
      reportedBy: "ci",
    });
    const stored = dump(db.select().from(deployments).all());
    expect(stored).toContain("[redacted]");
    expect(stored).not.toContain(SECRET);
  });

  it("audit details, which every viewer can read", () => {
    db.transaction((tx) =>
      writeAudit(
        tx,
        { id: null, name: "system", role: null },
        { ip: null, userAgent: null, requestId: null },
        {
          action: "backups.restore_failed",
          details: { error: `the pre-restore hook failed (exit 1): ${SECRET}` },
        },
      ),
    );
    const stored = dump(db.select().from(auditLog).all());
    expect(stored).toContain("[redacted]");
    expect(stored).not.toContain(SECRET);
  });
});
