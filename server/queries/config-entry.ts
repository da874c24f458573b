import "server-only";
import path from "node:path";
import { hasRole } from "@/lib/roles";
import type { SessionUser } from "@/server/auth/session";
import {
  ConfigEditError,
  EDITABLE_SECTIONS,
  entrySource,
  entryValues,
  readConfigSource,
  type EditableSection,
} from "@/server/config/edit";
import { configFile, currentWritability } from "@/server/config/edit-request";

export type ConfigEntryForm = {
  section: EditableSection;
  label: string;
  /** Where the list is in the file, e.g. "alerts.rules". */
  listPath: string;
  fileName: string;
  /** Absent when adding. */
  id?: string;
  /** The entry's raw YAML (`${VAR}` placeholders as written, never their values). */
  yaml: string;
  /** The entry's raw values, for a form's fields. */
  values: Record<string, unknown>;
  baseHash: string;
  writable: boolean;
  readOnlyReason: string | null;
};

export const isEditableSection = (s: string): s is EditableSection =>
  Object.hasOwn(EDITABLE_SECTIONS, s);

/**
 * What an edit form for one entry of opsdeck.yaml needs, read from the raw file (not the
 * running config, so nothing expanded from the environment is in it). Admins only;
 * null when there is no such entry.
 */
export function configEntryForm(
  user: SessionUser,
  section: EditableSection,
  id: string | undefined,
): ConfigEntryForm | null {
  if (!hasRole(user.role, "admin")) throw new Error("config entries are for admins");
  const file = configFile();
  const { listPath, label } = EDITABLE_SECTIONS[section];
  const { text, hash } = readConfigSource(file);
  let yaml = "";
  let values: Record<string, unknown> = {};
  if (id !== undefined) {
    try {
      yaml = entrySource(text, listPath, id);
      values = entryValues(text, listPath, id);
    } catch (err) {
      if (err instanceof ConfigEditError && err.kind === "not-found") return null;
      throw err;
    }
  }
  const writability = currentWritability();
  return {
    section,
    label,
    listPath: listPath.join("."),
    fileName: path.basename(file),
    id,
    yaml,
    values,
    baseHash: hash,
    writable: writability.writable,
    readOnlyReason: writability.writable ? null : writability.reason,
  };
}
