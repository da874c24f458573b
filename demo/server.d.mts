// Types for TypeScript callers of server.mjs (the project compiles without allowJs).
// Mirrors the JSDoc in server.mjs; keep the two in step.

export interface DemoOptions {
  /** Environment name (production, staging, …); default "development". */
  name?: string;
  /** 0, the default, picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default demo/data/<name>. */
  dataDir?: string;
  /** Default 1.0.0; <dataDir>/version wins when it exists. */
  version?: string;
  /** Generated requests per second; default 5, 0 turns it off. */
  traffic?: number;
  /** debug, info (default), warn or error. */
  logLevel?: string;
  /** Receives each JSON log line; default stdout. */
  log?: (line: string) => void;
}

export interface DemoHandle {
  port: number;
  url: string;
  /** Stops traffic, ends open and hanging requests, closes the database. Idempotent. */
  close(): Promise<void>;
}

export function startDemo(options?: DemoOptions): Promise<DemoHandle>;

export function optionsFromArgs(
  argv: string[],
  env: Record<string, string | undefined>,
): DemoOptions;

export function isLoopback(address: string | undefined): boolean;
