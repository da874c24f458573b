import "server-only";
import { configEditInput } from "@/server/config/edit";
import { prepareConfigEdit } from "@/server/config/edit-request";
import { defineService } from "@/server/services/service";

/**
 * What an edit of opsdeck.yaml would change, as a diff of the raw file (placeholders
 * unexpanded), validated as the loader would; and whether it can be saved here or must
 * be pasted into a file managed elsewhere. Writes nothing but its audit row.
 */
export const previewConfigEdit = defineService({
  name: "config.preview",
  role: "admin",
  input: configEditInput,
  run(ctx, input) {
    const { listPath, plan, writability } = prepareConfigEdit(input);
    const result = {
      diff: plan.diff,
      id: plan.id,
      writable: writability.writable,
      readOnlyReason: writability.writable ? null : writability.reason,
    };
    return ctx.commit(
      { action: "config.preview", details: { path: listPath, op: input.op, id: plan.id } },
      () => result,
    );
  },
});
