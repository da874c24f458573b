"use client";

import { useRouter } from "next/navigation";
import { useId, useState, useTransition } from "react";
import { parse, stringify } from "yaml";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { ConfigDiff } from "@/components/config/config-diff";
import type { ActionIssue, ActionResult } from "@/lib/action-result";
import { previewConfigEditAction } from "@/server/actions/preview-config-edit";
import { saveConfigEditAction } from "@/server/actions/save-config-edit";

type Section = "monitors" | "rules" | "channels" | "schedules";
type Op = "add" | "replace" | "remove";
type Option = { id: string; name: string };

export type ConfigEntryFormProps = {
  section: Section;
  label: string;
  listPath: string;
  fileName: string;
  id?: string;
  yaml: string;
  values: Record<string, unknown>;
  baseHash: string;
  writable: boolean;
  readOnlyReason: string | null;
  /** For monitors: the choices of service and environment. */
  services?: Option[];
  environments?: Option[];
  /** Where to go after a save, given the entry's id (null once removed). */
  after: { saved: string; removed: string };
};

/** The keys the monitor form has a field for; every other key is in "Other fields (YAML)". */
const MONITOR_FIELDS = [
  "id",
  "name",
  "type",
  "service",
  "environment",
  "url",
  "host",
  "port",
  "interval",
  "timeout",
  "retries",
] as const;
type MonitorField = (typeof MONITOR_FIELDS)[number];
const NUMERIC: MonitorField[] = ["port", "retries"];
const TYPES = ["http", "tcp", "tls", "heartbeat"];

function monitorFields(values: Record<string, unknown>): Record<MonitorField, string> {
  const out = {} as Record<MonitorField, string>;
  for (const k of MONITOR_FIELDS) out[k] = values[k] === undefined ? "" : String(values[k]);
  if (!out.type) out.type = "http";
  return out;
}

function otherFields(values: Record<string, unknown>): string {
  const rest = Object.fromEntries(
    Object.entries(values).filter(([k]) => !(MONITOR_FIELDS as readonly string[]).includes(k)),
  );
  return Object.keys(rest).length ? stringify(rest, { lineWidth: 0 }) : "";
}

/** The monitor's YAML from the form: its fields in order, then the other keys as written. */
function composeMonitor(fields: Record<MonitorField, string>, other: string): string {
  let extra: unknown = {};
  if (other.trim()) {
    try {
      extra = parse(other);
    } catch (err) {
      throw new Error(`Other fields: ${(err as Error).message.split("\n")[0]}`);
    }
    if (typeof extra !== "object" || extra === null || Array.isArray(extra))
      throw new Error("Other fields: expected keys and values (key: value)");
  }
  const entry: Record<string, unknown> = {};
  const hosted = fields.type === "tcp" || fields.type === "tls";
  for (const k of MONITOR_FIELDS) {
    const v = fields[k].trim();
    if (v === "") continue;
    if (k === "url" && fields.type !== "http") continue;
    if ((k === "host" || k === "port") && !hosted) continue;
    if (k === "timeout" && fields.type === "heartbeat") continue;
    entry[k] = NUMERIC.includes(k) && /^\d+$/.test(v) ? Number(v) : v;
  }
  for (const [k, v] of Object.entries(extra as Record<string, unknown>)) {
    if (k in entry) throw new Error(`Other fields: ${k} has its own field above`);
    entry[k] = v;
  }
  return stringify(entry, { lineWidth: 0 });
}

type Preview = { op: Op; diff: string; entry: string; writable: boolean; reason: string | null };
type Failure = { error: string; issues?: ActionIssue[] };

/**
 * Adds or edits one entry of opsdeck.yaml: Preview shows the diff of the file (the server
 * validates the whole new file as a reload would), Save writes it. When the file is
 * read-only, the preview is the change to paste into the file and there is no Save.
 */
export function ConfigEntryForm(props: ConfigEntryFormProps) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [yamlText, setYamlText] = useState(props.yaml);
  const [fields, setFields] = useState(() => monitorFields(props.values));
  const [other, setOther] = useState(() => otherFields(props.values));
  const [preview, setPreview] = useState<Preview>();
  const [failure, setFailure] = useState<Failure>();
  const [saved, setSaved] = useState<string>();
  const yamlId = useId();
  const isMonitor = props.section === "monitors";
  const editing = props.id !== undefined;

  const entryText = () => (isMonitor ? composeMonitor(fields, other) : yamlText);
  const input = (op: Op, entry: string) => ({
    section: props.section,
    op,
    baseHash: props.baseHash,
    ...(op === "add" ? {} : { id: props.id }),
    ...(op === "remove" ? {} : { entry }),
  });
  const fail = (r: Extract<ActionResult<unknown>, { ok: false }>) =>
    setFailure({ error: r.error, issues: r.issues });

  function runPreview(op: Op) {
    setFailure(undefined);
    setPreview(undefined);
    let entry = "";
    try {
      if (op !== "remove") entry = entryText();
    } catch (err) {
      setFailure({ error: (err as Error).message });
      return;
    }
    startTransition(async () => {
      const r = await previewConfigEditAction(input(op, entry));
      if (!r.ok) return fail(r);
      setPreview({
        op,
        diff: r.data.diff,
        entry,
        writable: r.data.writable,
        reason: r.data.readOnlyReason,
      });
    });
  }

  function save() {
    if (!preview) return;
    setFailure(undefined);
    startTransition(async () => {
      const r = await saveConfigEditAction(input(preview.op, preview.entry));
      if (!r.ok) return fail(r);
      if (!r.data.reloaded) {
        setFailure({
          error: "Saved to the file, but the reload failed; the running config is unchanged.",
          issues: r.data.reloadProblems,
        });
        return;
      }
      setSaved(`Saved to ${props.fileName} and reloaded.`);
      const to =
        preview.op === "remove"
          ? props.after.removed
          : props.after.saved.replace("{id}", encodeURIComponent(r.data.id ?? ""));
      router.push(to);
      router.refresh();
    });
  }

  const set = (k: MonitorField) => (e: { target: { value: string } }) => {
    setFields({ ...fields, [k]: e.target.value });
    setPreview(undefined);
  };
  const hosted = fields.type === "tcp" || fields.type === "tls";

  return (
    <div className="space-y-4">
      {!props.writable ? (
        <p
          role="status"
          data-testid="config-readonly"
          className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900"
        >
          This config is read-only ({props.readOnlyReason}): Preview shows the change; paste it into{" "}
          {props.fileName} where it is managed.
        </p>
      ) : null}
      <form
        className="space-y-4 rounded-lg border border-slate-200 bg-white p-4"
        onSubmit={(e) => {
          e.preventDefault();
          runPreview(editing ? "replace" : "add");
        }}
      >
        {isMonitor ? (
          <div className="grid gap-4 sm:grid-cols-2">
            <Field
              label="Id"
              name="id"
              value={fields.id}
              onChange={set("id")}
              required
              hint="Lowercase letters, digits and dashes."
            />
            <Field label="Name" name="name" value={fields.name} onChange={set("name")} />
            <Select
              label="Type"
              name="type"
              value={fields.type}
              onChange={set("type")}
              options={TYPES.map((t) => ({ id: t, name: t }))}
            />
            <Select
              label="Service"
              name="service"
              value={fields.service}
              onChange={set("service")}
              options={props.services ?? []}
            />
            <Select
              label="Environment"
              name="environment"
              value={fields.environment}
              onChange={set("environment")}
              options={props.environments ?? []}
            />
            {fields.type === "http" ? (
              <Field
                label="URL"
                name="url"
                value={fields.url}
                onChange={set("url")}
                hint="May use ${VAR} from the environment."
              />
            ) : null}
            {hosted ? (
              <>
                <Field label="Host" name="host" value={fields.host} onChange={set("host")} />
                <Field
                  label="Port"
                  name="port"
                  value={fields.port}
                  onChange={set("port")}
                  inputMode="numeric"
                />
              </>
            ) : null}
            <Field
              label="Interval"
              name="interval"
              value={fields.interval}
              onChange={set("interval")}
              hint='Such as "30s" or "5m"; empty for the default (1m).'
            />
            {fields.type !== "heartbeat" ? (
              <Field
                label="Timeout"
                name="timeout"
                value={fields.timeout}
                onChange={set("timeout")}
                hint='Such as "10s"; empty for the default.'
              />
            ) : null}
            <Field
              label="Retries"
              name="retries"
              value={fields.retries}
              onChange={set("retries")}
              inputMode="numeric"
              hint="Failed checks before down; empty for the default (1)."
            />
            <div className="sm:col-span-2">
              <label htmlFor={yamlId} className="block text-sm font-medium text-slate-700">
                Other fields (YAML)
              </label>
              <textarea
                id={yamlId}
                name="other"
                rows={6}
                value={other}
                onChange={(e) => {
                  setOther(e.target.value);
                  setPreview(undefined);
                }}
                spellCheck={false}
                className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 font-mono text-xs"
              />
              <p className="mt-1 text-xs text-slate-500">
                Any other key of this monitor type (headers, expect, token, period…), as in{" "}
                {props.fileName}.
              </p>
            </div>
          </div>
        ) : (
          <div>
            <label htmlFor={yamlId} className="block text-sm font-medium text-slate-700">
              The {props.label} as YAML (under {props.listPath} in {props.fileName})
            </label>
            <textarea
              id={yamlId}
              name="entry"
              rows={16}
              value={yamlText}
              onChange={(e) => {
                setYamlText(e.target.value);
                setPreview(undefined);
              }}
              spellCheck={false}
              className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 font-mono text-xs"
            />
            <p className="mt-1 text-xs text-slate-500">
              Secrets stay as ${"{VAR}"} references to the environment; their values are never shown
              here.
            </p>
          </div>
        )}
        <div className="flex flex-wrap gap-2">
          <Button type="submit" variant="secondary" disabled={pending}>
            Preview
          </Button>
          {editing ? (
            <Button
              type="button"
              variant="ghost"
              disabled={pending}
              onClick={() => runPreview("remove")}
            >
              Remove this {props.label}…
            </Button>
          ) : null}
        </div>
      </form>

      {failure ? (
        <div
          role="alert"
          data-testid="config-error"
          className="rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-800"
        >
          {failure.error}
          {failure.issues?.length ? (
            <ul className="mt-1 list-disc pl-5 font-mono text-xs">
              {failure.issues.map((i) => (
                <li key={`${i.path}${i.message}`}>
                  {i.path}: {i.message}
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}

      {preview ? (
        <section className="space-y-3 rounded-lg border border-slate-200 bg-white p-4">
          <h2 className="font-semibold">
            {preview.op === "remove" ? "Removing it changes" : "The change to"} {props.fileName}
          </h2>
          {preview.diff ? (
            <ConfigDiff diff={preview.diff} />
          ) : (
            <p className="text-sm">Nothing changes.</p>
          )}
          {preview.writable ? (
            <Button
              variant={preview.op === "remove" ? "danger" : "primary"}
              disabled={pending || !preview.diff}
              onClick={save}
            >
              {preview.op === "remove"
                ? `Remove from ${props.fileName}`
                : `Save to ${props.fileName}`}
            </Button>
          ) : (
            <div data-testid="config-copy">
              <p className="text-sm text-amber-900">
                This config is read-only (mounted from git): paste this into {props.fileName}{" "}
                {preview.op === "remove"
                  ? "(delete the lines marked -)"
                  : `under ${props.listPath}`}
                .
              </p>
              {preview.op !== "remove" ? (
                <pre className="mt-2 overflow-x-auto rounded bg-slate-50 p-3 font-mono text-xs">
                  {preview.entry}
                </pre>
              ) : null}
            </div>
          )}
        </section>
      ) : null}
      {saved ? (
        <p role="status" className="text-sm text-green-800">
          {saved}
        </p>
      ) : null}
    </div>
  );
}

function Select({
  label,
  name,
  value,
  onChange,
  options,
}: {
  label: string;
  name: string;
  value: string;
  onChange: (e: { target: { value: string } }) => void;
  options: Option[];
}) {
  const id = useId();
  const known = options.some((o) => o.id === value);
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium text-slate-700">
        {label}
      </label>
      <select
        id={id}
        name={name}
        value={value}
        onChange={onChange}
        className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm"
      >
        {known ? null : <option value={value}>{value || "Choose…"}</option>}
        {options.map((o) => (
          <option key={o.id} value={o.id}>
            {o.name}
          </option>
        ))}
      </select>
    </div>
  );
}
