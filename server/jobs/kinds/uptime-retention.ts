import "server-only";
import { z } from "zod";
import { getConfig } from "@/server/config";
import { deleteExpired } from "@/server/monitors/retention";
import { defineJobKind } from "../registry";

export const uptimeRetentionJob = defineJobKind({
  kind: "uptime.retention",
  title: "Delete expired uptime history",
  params: z.object({}).strict(),
  async run(ctx) {
    const { retention } = getConfig().config.uptime;
    const deleted = await deleteExpired(ctx.db, retention, Date.now(), ctx.signal);
    ctx.log(
      "info",
      `Deleted ${deleted.raw} raw checks, ${deleted.minute} minute and ${deleted.hour} hour rollups.`,
    );
    return deleted;
  },
});
