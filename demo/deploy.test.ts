import { execFile } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { startDemo, type DemoHandle } from "./server.mjs";

const run = promisify(execFile);
const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

async function demo(version: string): Promise<DemoHandle> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "navi-deploy-test-"));
  const d = await startDemo({ name: "production", version, traffic: 0, dataDir, log: () => {} });
  closers.push(() => d.close().then(() => fs.rmSync(dataDir, { recursive: true, force: true })));
  return d;
}

/** An ingest endpoint that keeps what it was sent. */
async function ingest() {
  const received: { auth: string | undefined; body: Record<string, unknown> }[] = [];
  const server = http.createServer((req, res) => {
    let text = "";
    req.on("data", (c) => (text += c));
    req.on("end", () => {
      received.push({ auth: req.headers.authorization, body: JSON.parse(text) });
      res.writeHead(201, { "content-type": "application/json" }).end('{"id":1}');
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  closers.push(() => new Promise((r) => server.close(r)));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, received };
}

const deploy = (args: string[], env: Record<string, string> = {}) =>
  run(process.execPath, ["demo/deploy.mjs", ...args], { env: { ...process.env, ...env } });

describe("demo/deploy.mjs", () => {
  it("ships a release and, with --report, records it in Opsdeck as CI would", async () => {
    const navi = await demo("1.4.2");
    const opsdeck = await ingest();
    const { stdout } = await deploy([navi.url, "1.4.3", "--report", opsdeck.url], {
      CI_INGEST_TOKEN: "a-ci-token-for-this-test-0123456789",
    });
    expect(stdout).toContain("now serving 1.4.3 (was 1.4.2)");
    expect(await (await fetch(`${navi.url}/version`)).json()).toEqual({ version: "1.4.3" });
    expect(opsdeck.received).toHaveLength(1);
    expect(opsdeck.received[0]!.auth).toBe("Bearer a-ci-token-for-this-test-0123456789");
    expect(opsdeck.received[0]!.body).toMatchObject({
      service: "backend",
      environment: "production",
      version: "1.4.3",
      status: "succeeded",
    });
  });

  it("as Opsdeck's rollback command (version in OPSDECK_TARGET_VERSION) it reports nothing", async () => {
    const navi = await demo("1.4.3");
    const { stdout } = await deploy([navi.url], { OPSDECK_TARGET_VERSION: "1.4.2" });
    expect(stdout).toContain("now serving 1.4.2 (was 1.4.3)");
    expect((await fetch(`${navi.url}/health`)).status).toBe(200);
  });

  it("exits 2 with its usage when the version is missing, and 1 when the service refuses", async () => {
    const navi = await demo("1.4.2");
    await expect(deploy([navi.url], { OPSDECK_TARGET_VERSION: "" })).rejects.toMatchObject({
      code: 2,
    });
    await expect(deploy([navi.url, "latest"])).rejects.toMatchObject({ code: 1 });
  });
});
