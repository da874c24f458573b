import "server-only";
import fs from "node:fs";
import path from "node:path";
import { parseDocument } from "yaml";
import type { z } from "zod";
import { childEnvNames, configSchema, type OpsdeckConfig } from "./schema";
import { formatPath } from "@/lib/format-path";
import { interpolate, type InterpolationProblem, type ResolvedValue } from "./interpolate";

export type ConfigProblem = InterpolationProblem;

/** Thrown when the config file cannot be used; `message` is meant for a human. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: ConfigProblem[],
  ) {
    super(
      `Invalid config file ${file}:\n` +
        problems.map((p) => `  - ${p.path}: ${p.message}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

export type ParsedConfig = {
  config: OpsdeckConfig;
  /** Problems worth fixing that do not stop Opsdeck (credential defaults outside the demo). */
  warnings: ConfigProblem[];
  /** Values that must never be stored or shown: see server/secrets/redact.ts. */
  secrets: ResolvedValue[];
};

export type LoadedConfig = ParsedConfig & {
  file: string;
  loadedAt: Date;
  /** The text it was parsed from, for the engine thread to parse too (absent in tests). */
  source?: string;
};

export const MAX_CONFIG_BYTES = 1024 * 1024;

/** Reads, interpolates and validates a config file; throws ConfigError with every problem found. */
export function loadConfigFile(
  file: string,
  lookup: (name: string) => string | undefined,
): LoadedConfig {
  const abs = path.resolve(file);
  let text: string;
  try {
    const stat = fs.statSync(abs);
    if (!stat.isFile())
      throw new ConfigError(abs, [{ path: "(file)", message: "is not a regular file" }]);
    if (stat.size > MAX_CONFIG_BYTES) {
      throw new ConfigError(abs, [
        { path: "(file)", message: `is larger than ${MAX_CONFIG_BYTES} bytes` },
      ]);
    }
    text = fs.readFileSync(abs, "utf8");
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const message =
      code === "ENOENT"
        ? "file not found (set OPSDECK_CONFIG to its path)"
        : code === "EACCES"
          ? "permission denied"
          : `cannot be read (${code ?? String(err)})`;
    throw new ConfigError(abs, [{ path: "(file)", message }]);
  }
  return { file: abs, ...parseConfig(text, abs, lookup), loadedAt: new Date(), source: text };
}

export function parseConfigText(
  text: string,
  file: string,
  lookup: (name: string) => string | undefined,
): OpsdeckConfig {
  return parseConfig(text, file, lookup).config;
}

/** Parses, interpolates and validates a config document; throws ConfigError with every problem. */
export function parseConfig(
  text: string,
  file: string,
  lookup: (name: string) => string | undefined,
): ParsedConfig {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => ({
        path: e.linePos ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : "(syntax)",
        message: e.message.split("\n")[0] ?? e.message,
      })),
    );
  }
  // A cap on alias expansion stops a "billion laughs" document.
  const raw: unknown = doc.toJS({ maxAliasCount: 100 }) ?? {};
  if (typeof raw !== "object" || Array.isArray(raw)) {
    throw new ConfigError(file, [{ path: "(top level)", message: "expected a mapping of keys" }]);
  }
  const { value, problems, warnings, resolved } = interpolate(raw, lookup);
  const parsed = configSchema.safeParse(value);
  const all = [...problems, ...(parsed.success ? [] : zodProblems(parsed.error))];
  if (all.length > 0 || !parsed.success) throw new ConfigError(file, dedupe(all));
  const config = parsed.data;
  // What the config hands to its commands is as secret as what it substitutes.
  const passed = childEnvNames(config).flatMap((name) => {
    const v = lookup(name);
    return v === undefined ? [] : [{ value: v, name }];
  });
  const deprecated = deprecatedSpellings(value);
  return {
    config,
    // The bundled demo's credentials are public defaults on purpose.
    warnings: [...deprecated, ...(config.demo ? [] : dedupe(warnings))],
    secrets: [...resolved, ...passed],
  };
}

function zodProblems(error: z.ZodError): ConfigProblem[] {
  return error.issues.map((issue) => {
    if (issue.code === "unrecognized_keys") {
      return {
        path: formatPath(issue.path),
        message: `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}`,
      };
    }
    if (issue.code === "invalid_type" && /received undefined/.test(issue.message)) {
      return { path: formatPath(issue.path), message: `is required (expected ${issue.expected})` };
    }
    return { path: formatPath(issue.path), message: issue.message };
  });
}

function dedupe(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.path}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Spellings still read but on their way out: said at load, so `check-config` shows them. */
function deprecatedSpellings(value: unknown): ConfigProblem[] {
  const windows = (value as { maintenanceWindows?: unknown }).maintenanceWindows;
  if (!Array.isArray(windows)) return [];
  return windows.flatMap((w, i) =>
    w && typeof w === "object" && "timezone" in w
      ? [
          {
            path: `maintenanceWindows[${i}].timezone`,
            message: "deprecated: spell it timeZone, as schedules do",
          },
        ]
      : [],
  );
}
