import "server-only";
import fs from "node:fs";
import path from "node:path";
import { env } from "@/env";

/** What a known secret value is replaced with wherever it is stored. */
export const REDACTED = "[redacted]";

/**
 * Values shorter than this are never treated as secrets: replacing every "prod" or
 * "4101" would wreck every log line, and no credential Opsdeck accepts is that short
 * (check-config warns about a credential that is).
 */
export const MIN_SECRET_LENGTH = 8;

/** The generated session key's file in the data directory (server/auth/secret.ts writes it). */
export const SESSION_SECRET_FILE = "session-secret";

/** The generated audit key's file in the data directory (server/audit/key.ts writes it). */
export const AUDIT_KEY_FILE = "audit-key";

/**
 * Text cut short before it reached the redactor (a line capped at 2,000 characters)
 * may end in the first part of a secret, or start with its last part. Such a piece
 * at either end is redacted from this length on; shorter pieces could be anything.
 */
export const MIN_PIECE_LENGTH = 12;

type Pattern = { text: string; name: string | undefined; plain: boolean };
type Piece = { form: string; offset: number };
type Compiled = {
  re: RegExp;
  patterns: Map<string, Pattern>;
  /** Every MIN_PIECE_LENGTH-character window of every form, and where it sits. */
  windows: Map<string, Piece[]>;
} | null;

const state = globalThis as unknown as {
  __opsdeckSecrets?: {
    /** value → the variable it came from (undefined: no name worth showing). */
    values: Map<string, string | undefined>;
    ownLoaded: boolean;
    compiled: Compiled | undefined;
  };
};

function store() {
  return (state.__opsdeckSecrets ??= { values: new Map(), ownLoaded: false, compiled: undefined });
}

function add(value: string | undefined, name?: string): void {
  if (!value || value.length < MIN_SECRET_LENGTH) return;
  const s = store();
  if (s.values.has(value) && (s.values.get(value) !== undefined || name === undefined)) return;
  s.values.set(value, name);
  s.compiled = undefined;
}

/**
 * Opsdeck's own secrets, read on first use, so every thread that stores text knows
 * them without being told: the session key and the audit key (set or generated), the
 * first admin's password, the metrics token.
 */
function loadOwn(): void {
  const s = store();
  if (s.ownLoaded) return;
  s.ownLoaded = true;
  add(env.OPSDECK_SECRET, "OPSDECK_SECRET");
  add(env.OPSDECK_ADMIN_PASSWORD, "OPSDECK_ADMIN_PASSWORD");
  add(env.OPSDECK_METRICS_TOKEN, "OPSDECK_METRICS_TOKEN");
  add(env.OPSDECK_AUDIT_KEY, "OPSDECK_AUDIT_KEY");
  for (const [file, name] of [
    [SESSION_SECRET_FILE, undefined],
    [AUDIT_KEY_FILE, "OPSDECK_AUDIT_KEY"],
  ] as const) {
    try {
      add(
        fs.readFileSync(path.join(path.resolve(env.OPSDECK_DATA_DIR), file), "utf8").trim(),
        name,
      );
    } catch {
      // Not generated yet: whoever makes it registers it.
    }
  }
}

/**
 * Adds the values the config resolved from the environment (and any credential the
 * file supplied as a default). Values from an earlier load are kept: a rotated-out
 * credential may still work somewhere, and a job started before the reload still runs.
 */
export function addConfigSecrets(values: Iterable<{ value: string; name?: string }>): void {
  for (const { value, name } of values) {
    add(value, name);
    // The password of a URL (postgres://user:password@host) on its own, too.
    const password = urlPassword(value);
    if (password) add(password);
  }
}

/** One more secret Opsdeck holds (the generated session key, a signing key). */
export function registerSecret(value: string, name?: string): void {
  add(value, name);
}

/** How many values are known (for tests and the start-up log). */
export function knownSecretCount(): number {
  loadOwn();
  return store().values.size;
}

/** Forgets every known value (tests only). */
export function resetSecretsForTests(): void {
  state.__opsdeckSecrets = undefined;
}

function urlPassword(value: string): string | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^/@\s]*:[^/@\s]*@/i.test(value)) return undefined;
  try {
    return decodeURIComponent(new URL(value).password) || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The forms a value takes in output: as is, JSON-escaped, percent-encoded, and the
 * part of its base64 (and base64url) that does not depend on what surrounds it, at
 * each of the three byte alignments (so `echo $X | base64` and "user:X" are caught).
 */
function formsOf(value: string): string[] {
  const forms = new Set<string>([value]);
  forms.add(JSON.stringify(value).slice(1, -1));
  const encoded = encodeURIComponent(value);
  forms.add(encoded);
  forms.add(encoded.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
  const bytes = Buffer.from(value, "utf8");
  for (let offset = 0; offset < 3; offset++) {
    const padded = Buffer.concat([Buffer.alloc(offset), bytes]);
    const first = Math.ceil(offset / 3);
    const last = Math.floor((padded.length - 3) / 3);
    if (last < first) continue;
    for (const alphabet of ["base64", "base64url"] as const) {
      const core = padded.toString(alphabet).slice(first * 4, (last + 1) * 4);
      if (core.length >= MIN_SECRET_LENGTH) forms.add(core);
    }
  }
  return [...forms].filter((f) => f.length >= MIN_SECRET_LENGTH);
}

function compiled(): Compiled {
  loadOwn();
  const s = store();
  if (s.compiled !== undefined) return s.compiled;
  const patterns = new Map<string, Pattern>();
  for (const [value, name] of s.values) {
    for (const text of formsOf(value)) {
      const known = patterns.get(text);
      if (!known || (text === value && !known.plain))
        patterns.set(text, { text, name, plain: text === value });
    }
  }
  if (patterns.size === 0) return (s.compiled = null);
  // Longest first, so a secret that contains another is replaced whole.
  const alternatives = [...patterns.keys()]
    .sort((a, b) => b.length - a.length)
    .map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  const windows = new Map<string, Piece[]>();
  for (const form of patterns.keys())
    for (let offset = 0; offset + MIN_PIECE_LENGTH <= form.length; offset++) {
      const w = form.slice(offset, offset + MIN_PIECE_LENGTH);
      const list = windows.get(w);
      if (list) list.push({ form, offset });
      else windows.set(w, [{ form, offset }]);
    }
  return (s.compiled = { re: new RegExp(alternatives.join("|"), "g"), patterns, windows });
}

/** Replaces a piece of a secret left at the end (a cut-off start) or the start (a cut-off end). */
function redactEdges(text: string, c: NonNullable<Compiled>): string {
  let out = text;
  let tail = 0;
  for (const { form, offset } of c.windows.get(out.slice(-MIN_PIECE_LENGTH)) ?? []) {
    const piece = form.slice(0, offset + MIN_PIECE_LENGTH);
    if (piece.length > tail && out.endsWith(piece)) tail = piece.length;
  }
  if (tail > 0) out = out.slice(0, out.length - tail) + REDACTED;
  let head = 0;
  for (const { form, offset } of c.windows.get(out.slice(0, MIN_PIECE_LENGTH)) ?? []) {
    const piece = form.slice(offset);
    if (piece.length > head && out.startsWith(piece)) head = piece.length;
  }
  if (head > 0) out = REDACTED + out.slice(head);
  return out;
}

/** `text` with every known secret value (in each of its forms) replaced by "[redacted]". */
export function redactSecrets(text: string): string {
  if (text.length < MIN_SECRET_LENGTH) return text;
  const c = compiled();
  return c ? redactEdges(text.replace(c.re, REDACTED), c) : text;
}

/**
 * Like redactSecrets, but a value that came from a named variable reads `${NAME}`:
 * for showing a command line as the config wrote it.
 */
export function redactSecretsNamed(text: string): string {
  if (text.length < MIN_SECRET_LENGTH) return text;
  const c = compiled();
  if (!c) return text;
  const named = text.replace(c.re, (match) => {
    const p = c.patterns.get(match);
    return p?.plain && p.name ? `\${${p.name}}` : REDACTED;
  });
  return redactEdges(named, c);
}

/** A deep copy of `value` with redactSecrets applied to every string in it (keys too). */
export function redactSecretsIn<T>(value: T, depth = 0): T {
  if (typeof value === "string") return redactSecrets(value) as T;
  if (value === null || typeof value !== "object" || depth > 20) return value;
  if (value instanceof Date) return value;
  if (Array.isArray(value)) return value.map((v) => redactSecretsIn(v, depth + 1)) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[redactSecrets(k)] = redactSecretsIn(v, depth + 1);
  return out as T;
}
