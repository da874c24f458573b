import "server-only";
import path from "node:path";
import { env, readEnvVar } from "@/env";
import { ServiceError } from "@/server/services/service";
import {
  ConfigEditError,
  configTarget,
  configWritability,
  EDITABLE_SECTIONS,
  planConfigEdit,
  readConfigSource,
  toEdit,
  type ConfigEditInput,
  type EditPlan,
  type Writability,
} from "./edit";

/** The config file this process runs on, as edits write it (a symlink's target). */
export function configFile(): string {
  return configTarget(path.resolve(env.OPSDECK_CONFIG));
}

export function currentWritability(): Writability {
  return configWritability(configFile(), env.OPSDECK_CONFIG_READONLY);
}

/** A ConfigEditError as the refusal a form shows (400 with the loader's problems, 404, 409). */
export function editRefusal(err: unknown): never {
  if (!(err instanceof ConfigEditError)) throw err;
  const status = err.kind === "not-found" ? 404 : err.kind === "invalid" ? 400 : 409;
  throw new ServiceError(status, err.message, err.problems.length ? err.problems : undefined);
}

export type PreparedEdit = {
  file: string;
  listPath: string;
  plan: EditPlan;
  writability: Writability;
};

/**
 * The edit a form asks for, made on the file as it is now and validated as the loader
 * would: refused if the file changed since the form was opened. Changes nothing.
 */
export function prepareConfigEdit(input: ConfigEditInput): PreparedEdit {
  const file = configFile();
  const { listPath } = EDITABLE_SECTIONS[input.section];
  try {
    const { text, hash } = readConfigSource(file);
    if (hash !== input.baseHash)
      throw new ConfigEditError(
        "conflict",
        "The config file changed on disk since this form was opened; reload the page to edit the current file.",
      );
    const plan = planConfigEdit({ text, file, listPath, edit: toEdit(input), lookup: readEnvVar });
    return { file, listPath: listPath.join("."), plan, writability: currentWritability() };
  } catch (err) {
    editRefusal(err);
  }
}
