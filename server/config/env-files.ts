import "server-only";
// next's own .env loader (a dependency of next, at next's version); it must stay external
// (next.config.ts) so this is the copy that remembers the environment Next started with.
// A CommonJS bundle whose exports Node cannot list: imported whole.
import nextEnv from "@next/env";
import { env } from "@/env";
import { logger } from "@/server/logger";

/**
 * Reads the `.env` files again as Next.js read them at start (`.env.<mode>.local`,
 * `.env.local`, `.env.<mode>`, `.env` in the working directory). A variable set in the
 * process's real environment still wins over the files; one that came from a file now
 * has the file's current value, and one removed from every file is unset. The engine
 * thread shares this environment, so it sees the same values. Returns the files that
 * changed since they were last read.
 */
export function reloadEnvFiles(dir = process.cwd()): string[] {
  const changed: string[] = [];
  nextEnv.loadEnvConfig(
    dir,
    env.NODE_ENV === "development",
    {
      info: () => undefined,
      error: (message: unknown, err: unknown) => logger.error({ error: err }, String(message)),
    },
    true,
    (file) => changed.push(file),
  );
  if (changed.length > 0) logger.info({ context: { files: changed } }, "re-read .env files");
  return changed;
}
