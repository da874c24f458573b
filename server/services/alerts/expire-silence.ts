import "server-only";
import { eq } from "drizzle-orm";
import { expireSilenceInput } from "@/lib/schemas/alerts";
import { defineService, ServiceError } from "@/server/services/service";
import { silences } from "@/server/db/schema";

/** Expire a silence now (operator); alerts it held are notified at the next pass. */
export const expireSilence = defineService({
  name: "alerts.expire_silence",
  role: "operator",
  input: expireSilenceInput,
  run(ctx, input) {
    const row = ctx.db.select().from(silences).where(eq(silences.id, input.silenceId)).get();
    if (!row) throw new ServiceError(404, `No silence #${input.silenceId}.`);
    const now = new Date();
    if (row.endsAt <= now) throw new ServiceError(409, `Silence #${row.id} has already ended.`);
    return ctx.commit(
      { action: "alerts.expire_silence", targetType: "silence", targetId: String(row.id) },
      (tx) => {
        tx.update(silences)
          .set({
            endsAt: now,
            startsAt: row.startsAt > now ? now : row.startsAt,
            expiredBy: ctx.requester.name,
          })
          .where(eq(silences.id, row.id))
          .run();
        return { silenceId: row.id };
      },
    );
  },
});
