import "server-only";
// Runs one backup in its own process, so a test can SIGKILL it half-way.
// tsx --conditions=react-server server/backups/testing/backup-child.ts <data dir> <source db> <destination>
import { openDatabase } from "../../db";
import { jobs } from "../../db/schema";
import { takeBackup } from "../run";

const [dataDir, source, destination] = process.argv.slice(2);
// Under `ulimit -f`, a write past the limit raises SIGXFSZ; ignoring it turns that into EFBIG.
process.on("SIGXFSZ", () => undefined);
const db = openDatabase(dataDir!);
const job = db
  .insert(jobs)
  .values({ kind: "backup.run", params: {}, requestedByName: "test", status: "running" })
  .returning()
  .get();
const ctx = {
  jobId: job.id,
  params: {},
  db,
  signal: new AbortController().signal,
  log: (_level: string, message: string) => process.stdout.write(`${message}\n`),
  progress: () => undefined,
};
const config = {
  id: "navi-db",
  service: "backend",
  environment: "production",
  source: { type: "sqlite" as const, path: source! },
  destination: { type: "local" as const, path: destination! },
  schedule: "0 2 * * *",
  grace: 3_600_000,
  retention: { days: 30, keepDaily: 0, keepWeekly: 0, keepMonthly: 0 },
  hooks: {},
};
takeBackup(ctx, config, { kind: "manual", requestedBy: "test" }).then(
  () => process.stdout.write("BACKUP DONE\n"),
  (err: Error) => {
    process.stdout.write(`BACKUP FAILED ${err.message}\n`);
    process.exit(1);
  },
);
