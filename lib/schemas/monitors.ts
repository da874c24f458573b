import { z } from "zod";

export const setMonitorPausedInput = z.strictObject({
  monitorId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "Unknown monitor"),
  paused: z.boolean(),
});
