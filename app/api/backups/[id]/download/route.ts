// GET /api/backups/{id}/download — an admin downloads a backup file (audited)
import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { idParams } from "@/lib/schemas/common";
import { backupDirs } from "@/server/backups/run";
import { getConfig } from "@/server/config";
import { apiRoute, HttpError } from "@/server/http/route";
import { getBackup } from "@/server/queries/backups";

export const dynamic = "force-dynamic";

export const GET = apiRoute({
  name: "backups.download",
  auth: "admin",
  params: idParams,
  handler: ({ db, params, commit }) => {
    const backup = getBackup(db, params.id);
    const job = getConfig().config.backups.find((b) => b.id === backup?.jobId);
    if (!backup || !job?.destination || backup.status !== "verified" || !backup.file) {
      throw new HttpError(404, `No verified backup #${params.id} to download.`);
    }
    // Serve only files inside the job's own destination.
    const root = backupDirs(job).root;
    const relative = path.relative(root, backup.file);
    if (relative.startsWith("..") || path.isAbsolute(relative) || !fs.existsSync(backup.file)) {
      throw new HttpError(404, `The file of backup #${params.id} is no longer there.`);
    }
    commit(
      {
        action: "backups.download",
        targetType: "backup",
        targetId: backup.id,
        details: { file: backup.file },
      },
      () => null,
    );
    const stat = fs.statSync(backup.file);
    return new Response(Readable.toWeb(fs.createReadStream(backup.file)) as ReadableStream, {
      headers: {
        "content-type": "application/gzip",
        "content-length": String(stat.size),
        "content-disposition": `attachment; filename="${path.basename(backup.file)}"`,
        "cache-control": "no-store",
        ...(backup.sha256 ? { "x-checksum-sha256": backup.sha256 } : {}),
      },
    });
  },
});
