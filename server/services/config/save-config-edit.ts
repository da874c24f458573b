import "server-only";
import { installConfig, readConfig } from "@/server/config";
import { auditDiff, configEditInput, writeConfigAtomically } from "@/server/config/edit";
import { editRefusal, prepareConfigEdit } from "@/server/config/edit-request";
import { ConfigError } from "@/server/config/load";
import { logger } from "@/server/logger";
import { getRuntime } from "@/server/runtime";
import { defineService, ServiceError } from "@/server/services/service";

/**
 * Writes an edit of opsdeck.yaml made in a form: validated whole as the loader would,
 * refused if the file changed since the form was opened or is read-only, written
 * atomically, audited with its diff, then put into force as Reload config does.
 */
export const saveConfigEdit = defineService({
  name: "config.edit",
  role: "admin",
  input: configEditInput,
  async run(ctx, input) {
    const { file, listPath, plan, writability } = prepareConfigEdit(input);
    if (!writability.writable)
      throw new ServiceError(
        409,
        `This config is read-only (${writability.reason}): paste the change into opsdeck.yaml where it is managed.`,
      );
    if (plan.diff === "") throw new ServiceError(400, "Nothing to save: the entry is unchanged.");
    try {
      ctx.commit(
        {
          action: "config.edit",
          targetType: "config",
          targetId: plan.id ?? undefined,
          details: { path: listPath, op: input.op, id: plan.id, diff: auditDiff(plan.diff) },
        },
        () => writeConfigAtomically(file, input.baseHash, plan.text),
      );
    } catch (err) {
      editRefusal(err);
    }
    // The file is saved; putting it into force is what Reload config does.
    let reloadProblems: { path: string; message: string }[] = [];
    try {
      const loaded = readConfig();
      await getRuntime()?.engine.applyConfig(loaded);
      installConfig(loaded);
    } catch (err) {
      if (!(err instanceof ConfigError)) logger.error({ err }, "config edit: reload failed");
      reloadProblems =
        err instanceof ConfigError
          ? err.problems
          : [{ path: "(reload)", message: "the reload failed; see the log, then Reload config" }];
    }
    return { diff: plan.diff, id: plan.id, reloaded: reloadProblems.length === 0, reloadProblems };
  },
});
