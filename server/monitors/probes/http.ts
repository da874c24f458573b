import "server-only";
import http from "node:http";
import net from "node:net";
import tls from "node:tls";
import type { HttpMonitorConfig } from "@/server/config/schema";
import { stripUrlSecrets } from "@/server/secrets/urls";
import { daysLeft, describeRejection, expiryWarning, peerCertificate } from "./certificate";
import { type Progress, withDeadline } from "./deadline";
import { jsonProblem } from "./json-assertion";
import { answered, elapsedSince, slowWarning } from "./result";
import { whenConnected } from "./socket";
import { MAX_BODY_BYTES, type ProbeOptions, type ProbeResult } from "./types";

export type HttpProbeOptions = ProbeOptions & {
  /** For tests only: trust these CA certificates instead of the system's. */
  ca?: string | Buffer;
};

type Hop = { url: URL; method: string; headers: Record<string, string>; body?: string };
type Answer = { statusCode: number; body: Buffer; truncated: boolean };
type Context = {
  config: HttpMonitorConfig;
  signal: AbortSignal;
  progress: Progress;
  now: () => number;
  ca?: string | Buffer;
};

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const BODY_HEADERS = ["content-type", "content-length", "content-encoding", "transfer-encoding"];
// Credentials, and a Host override, are meant for one origin; a redirect elsewhere drops them.
const ORIGIN_HEADERS = ["authorization", "proxy-authorization", "cookie", "host"];
const BODY_LIMIT = `${MAX_BODY_BYTES / 1024 / 1024} MiB`;

export function probeHttp(
  config: HttpMonitorConfig,
  options: HttpProbeOptions = {},
): Promise<ProbeResult> {
  const { signal: callerSignal, now = Date.now, ca } = options;
  return withDeadline(config.timeout, callerSignal, async (signal, progress) => {
    const startedAt = performance.now();
    const answer = await fetchFollowingRedirects({ config, signal, progress, now, ca });
    return judge(config, answer, elapsedSince(startedAt), progress.tlsDaysLeft);
  });
}

async function fetchFollowingRedirects(context: Context): Promise<Answer> {
  const { config, progress } = context;
  let hop = firstHop(config);
  for (let redirects = 0; ; redirects++) {
    const socket = await connect(hop.url, context);
    try {
      const response = await send(hop, socket);
      const statusCode = response.statusCode ?? 0;
      progress.statusCode = statusCode;
      const location = config.followRedirects ? redirectLocation(response) : undefined;
      if (location === undefined) return { statusCode, ...(await readBody(response)) };
      if (redirects === config.maxRedirects) {
        throw new Error(`too many redirects (more than ${config.maxRedirects})`);
      }
      hop = redirectedHop(hop, statusCode, location);
    } finally {
      socket.destroy();
    }
  }
}

function firstHop(config: HttpMonitorConfig): Hop {
  const headers = Object.fromEntries(
    Object.entries(config.headers).map(([name, value]) => [name.toLowerCase(), value]),
  );
  headers["user-agent"] ??= "Opsdeck uptime check";
  return { url: new URL(config.url), method: config.method, headers, body: config.body };
}

/** Opens the connection for one request; for HTTPS, judges the certificate before anything is sent. */
async function connect(url: URL, context: Context): Promise<net.Socket> {
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (url.protocol === "http:") {
    return whenConnected(
      net.connect({ host, port: Number(url.port) || 80 }),
      "connect",
      context.signal,
    );
  }
  // Verified by hand after the handshake rather than by rejectUnauthorized, which would
  // hang up before the certificate could be read: its expiry is wanted even when it is invalid.
  const socket = await whenConnected(
    tls.connect({
      host,
      port: Number(url.port) || 443,
      servername: net.isIP(host) ? undefined : host,
      ca: context.ca,
      rejectUnauthorized: false,
    }),
    "secureConnect",
    context.signal,
  );
  const cert = peerCertificate(socket);
  if (cert) recordDaysLeft(context.progress, daysLeft(cert, context.now()));
  if (!socket.authorized && !context.config.ignoreTlsErrors) {
    socket.destroy();
    throw new Error(cert ? describeRejection(socket, cert) : "server sent no certificate");
  }
  return socket;
}

// A redirect chain breaks when its first certificate expires, so keep the smallest.
function recordDaysLeft(progress: Progress, days: number): void {
  progress.tlsDaysLeft = Math.min(days, progress.tlsDaysLeft ?? days);
}

function send(hop: Hop, socket: net.Socket): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const request = http.request({
      method: hop.method,
      host: hop.url.hostname,
      port: hop.url.port,
      defaultPort: hop.url.protocol === "https:" ? 443 : 80,
      path: `${hop.url.pathname}${hop.url.search}`,
      headers: hop.headers,
      createConnection: () => socket,
    });
    request.once("response", resolve);
    request.on("error", reject);
    request.end(hop.body);
  });
}

function redirectLocation(response: http.IncomingMessage): string | undefined {
  return REDIRECT_STATUSES.has(response.statusCode ?? 0) ? response.headers.location : undefined;
}

function redirectedHop(hop: Hop, statusCode: number, location: string): Hop {
  const url = redirectTarget(location, hop.url);
  // As browsers and curl do: 303, and 301/302 after a POST, become a GET without the body;
  // 307 and 308 repeat the request as it was.
  const toGet =
    (statusCode === 303 && hop.method !== "HEAD") ||
    ((statusCode === 301 || statusCode === 302) && hop.method === "POST");
  let headers = toGet ? without(hop.headers, BODY_HEADERS) : hop.headers;
  if (url.origin !== hop.url.origin) headers = without(headers, ORIGIN_HEADERS);
  return toGet
    ? { url, method: "GET", headers }
    : { url, method: hop.method, headers, body: hop.body };
}

function redirectTarget(location: string, base: URL): URL {
  let url: URL;
  try {
    url = new URL(location, base);
  } catch {
    throw new Error(`redirect to an invalid URL (${stripUrlSecrets(location)})`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`redirect to a URL that is not http(s) (${stripUrlSecrets(url.href)})`);
  }
  return url;
}

function without(headers: Record<string, string>, names: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !names.includes(name)));
}

/**
 * Reads at most MAX_BODY_BYTES and then stops: an endless or huge answer costs one megabyte
 * and the time it took to arrive, and the caller's socket.destroy() drops the rest unread.
 */
function readBody(response: http.IncomingMessage): Promise<Omit<Answer, "statusCode">> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.on("data", (chunk: Buffer) => {
      if (size + chunk.length > MAX_BODY_BYTES) {
        chunks.push(chunk.subarray(0, MAX_BODY_BYTES - size));
        response.destroy();
        resolve({ body: Buffer.concat(chunks), truncated: true });
        return;
      }
      chunks.push(chunk);
      size += chunk.length;
    });
    response.on("end", () => resolve({ body: Buffer.concat(chunks), truncated: false }));
    response.on("error", reject);
  });
}

function judge(
  config: HttpMonitorConfig,
  answer: Answer,
  responseMs: number,
  tlsDaysLeft: number | null,
): ProbeResult {
  const measurements = { responseMs, statusCode: answer.statusCode, tlsDaysLeft };
  const problem =
    statusProblem(answer.statusCode, config.expect.status) ?? contentProblem(config.expect, answer);
  if (problem) return { ...measurements, status: "down", error: problem };
  return answered(measurements, [
    slowWarning(responseMs, config.expect.maxResponseTime),
    certificateWarning(config, tlsDaysLeft),
  ]);
}

function statusProblem(statusCode: number, expected: [number, number][]): string | null {
  if (expected.some(([lo, hi]) => statusCode >= lo && statusCode <= hi)) return null;
  const ranges = expected.map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}-${hi}`));
  return `HTTP ${statusCode}, expected ${ranges.join(", ")}`;
}

function contentProblem(expect: HttpMonitorConfig["expect"], answer: Answer): string | null {
  const text = answer.body.toString("utf8");
  // Only the first MAX_BODY_BYTES are read, so a keyword further down counts as not found.
  const scope = answer.truncated ? ` in the first ${BODY_LIMIT}` : "";
  if (expect.keyword !== undefined && !text.includes(expect.keyword)) {
    return `keyword ${quote(expect.keyword)} not found${scope}`;
  }
  if (expect.notKeyword !== undefined && text.includes(expect.notKeyword)) {
    return `unwanted keyword ${quote(expect.notKeyword)} found`;
  }
  if (!expect.json) return null;
  const document = parseJson(text);
  if (!document) return `response is not JSON${answer.truncated ? ` (cut at ${BODY_LIMIT})` : ""}`;
  // The value quoted comes from the answer: a callback URL there may carry a code or a password.
  const problem = jsonProblem(document.value, expect.json);
  return problem && stripUrlSecrets(problem);
}

function parseJson(text: string): { value: unknown } | null {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return null;
  }
}

// Someone ignoring TLS errors has said the certificate does not matter, its expiry included.
function certificateWarning(config: HttpMonitorConfig, daysLeft: number | null): string | null {
  if (daysLeft === null || config.ignoreTlsErrors || daysLeft >= config.tlsWarnDays) return null;
  return expiryWarning(daysLeft);
}

function quote(keyword: string): string {
  return JSON.stringify(keyword.length > 60 ? `${keyword.slice(0, 59)}…` : keyword);
}
