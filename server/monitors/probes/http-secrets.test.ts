import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, test } from "vitest";
import { type HttpMonitorConfig, monitorSchema } from "@/server/config/schema";
import { probeHttp } from "./http";

const servers: http.Server[] = [];
afterEach(() => Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r)))));

async function serve(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function monitor(url: string, fields: Record<string, unknown> = {}): HttpMonitorConfig {
  const config = { id: "web", service: "web", environment: "prod", type: "http", url, ...fields };
  return monitorSchema.parse(config) as HttpMonitorConfig;
}

const redirectTo = (location: string) =>
  serve((_req, res) => res.writeHead(302, { location }).end());

describe("probe errors that quote a URL from the answer", () => {
  test("a redirect to a non-http URL is named without its credentials or query", async () => {
    const url = await redirectTo(
      "ftp://deploy:hunter2-pass@files.example.com/drop?token=abc123xyz#f",
    );
    const result = await probeHttp(monitor(url));
    expect(result.status).toBe("down");
    expect(result.error).toBe(
      "redirect to a URL that is not http(s) (ftp://files.example.com/drop?…#f)",
    );
  });

  test("an invalid redirect URL keeps no query either", async () => {
    const url = await redirectTo("http://[::1/login?session=abc123xyz");
    const result = await probeHttp(monitor(url));
    expect(result.error).toMatch(/^redirect to an invalid URL \(http:\/\/\[::1\/login\?…\)$/);
  });

  test("a JSON value that is a URL is shown without credentials or query", async () => {
    const url = await serve((_req, res) =>
      res.writeHead(200, { "content-type": "application/json" }).end(
        JSON.stringify({
          callback: "https://admin:hunter2-pass@api.example.com/cb?code=abc123xyz",
        }),
      ),
    );
    const result = await probeHttp(
      monitor(url, { expect: { json: { path: "callback", value: "https://api.example.com/cb" } } }),
    );
    expect(result.error).toBe(
      'json callback is "https://api.example.com/cb?…", expected == "https://api.example.com/cb"',
    );
  });
});
