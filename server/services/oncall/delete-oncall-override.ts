import "server-only";
import { eq } from "drizzle-orm";
import { deleteOverrideInput } from "@/lib/schemas/alerts";
import { defineService, ServiceError } from "@/server/services/service";
import { oncallOverrides } from "@/server/db/schema";

/** Remove an override (operator); the rotation applies again. The row is kept for the record. */
export const deleteOncallOverride = defineService({
  name: "oncall.delete_override",
  role: "operator",
  input: deleteOverrideInput,
  run(ctx, input) {
    const row = ctx.db
      .select()
      .from(oncallOverrides)
      .where(eq(oncallOverrides.id, input.overrideId))
      .get();
    if (!row || row.deletedAt) throw new ServiceError(404, `No override #${input.overrideId}.`);
    return ctx.commit(
      {
        action: "oncall.delete_override",
        targetType: "schedule",
        targetId: row.scheduleId,
        details: { overrideId: row.id, person: row.person },
      },
      (tx) => {
        tx.update(oncallOverrides)
          .set({ deletedAt: new Date(), deletedBy: ctx.requester.name })
          .where(eq(oncallOverrides.id, row.id))
          .run();
        return { overrideId: row.id };
      },
    );
  },
});
