import "server-only";
import { setMonitorPausedInput } from "@/lib/schemas/monitors";
import { defineService, ServiceError } from "@/server/services/service";
import { getConfig } from "@/server/config";
import { monitorState } from "@/server/db/schema";

/** Pauses or resumes a monitor's checks (the config's own `paused: true` still wins). */
export const setMonitorPaused = defineService({
  name: "monitors.set_paused",
  role: "operator",
  input: setMonitorPausedInput,
  run(ctx, input) {
    const monitor = getConfig().config.monitors.find((m) => m.id === input.monitorId);
    if (!monitor) throw new ServiceError(404, `No monitor "${input.monitorId}".`);
    const at = new Date();
    return ctx.commit(
      {
        action: input.paused ? "monitors.pause" : "monitors.resume",
        targetType: "monitor",
        targetId: monitor.id,
      },
      (tx) => {
        const values = input.paused
          ? { status: "paused" as const, since: at, pausedBy: ctx.requester.name, pausedAt: at }
          : { status: "unknown" as const, since: at, pausedBy: null, pausedAt: null };
        tx.insert(monitorState)
          .values({ monitorId: monitor.id, ...values })
          .onConflictDoUpdate({ target: monitorState.monitorId, set: values })
          .run();
        return { monitorId: monitor.id, paused: input.paused };
      },
    );
  },
});
