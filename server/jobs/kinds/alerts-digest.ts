import "server-only";
import { z } from "zod";
import { sendDigests } from "@/server/alerts/digest";
import { getConfig } from "@/server/config";
import { defineJobKind } from "../registry";

export const alertsDigestJob = defineJobKind({
  kind: "alerts.digest",
  title: "Send the alert digest",
  params: z.object({}).strict(),
  async run(ctx) {
    const queued = sendDigests(ctx.db, getConfig().config, Date.now());
    ctx.log("info", `Queued ${queued} digest notification${queued === 1 ? "" : "s"}.`);
    return { queued };
  },
});
