import "server-only";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import {
  Document,
  isAlias,
  isMap,
  isNode,
  isScalar,
  isSeq,
  parseDocument,
  visit,
  YAMLSeq,
  type Node,
  type YAMLMap,
} from "yaml";
import { z } from "zod";
import { unifiedDiff } from "@/lib/line-diff";
import { ConfigError, MAX_CONFIG_BYTES, parseConfig, type ConfigProblem } from "./load";

// Editing opsdeck.yaml from the browser without giving up config as code: the file stays
// the source of truth. An edit changes the raw document (so `${VAR}` placeholders,
// comments, order and blank lines stay as written), the whole result is validated by the
// loader, and it is written atomically only if the file is still what the form was opened on.

/** The lists of the file that can be edited entry by entry. */
export const EDITABLE_SECTIONS = {
  monitors: { listPath: ["monitors"], label: "monitor" },
  rules: { listPath: ["alerts", "rules"], label: "alert rule" },
  channels: { listPath: ["alerts", "channels"], label: "channel" },
  schedules: { listPath: ["oncall", "schedules"], label: "on-call schedule" },
} as const;
export type EditableSection = keyof typeof EDITABLE_SECTIONS;

export type ConfigEdit =
  | { op: "add"; entry: string }
  | { op: "replace"; id: string; entry: string }
  | { op: "remove"; id: string };

/** An entry's YAML may be at most this long: a form field, not a file. */
export const MAX_ENTRY_BYTES = 64 * 1024;
/** Aliases expanded per document at most (the loader's cap, against "billion laughs"). */
const MAX_ALIASES = 100;
const RENDER = { lineWidth: 0 } as const;

export type EditFailure = "invalid" | "not-found" | "conflict" | "read-only";

/** Why an edit was refused; `problems` name the place in the file as the loader does. */
export class ConfigEditError extends Error {
  constructor(
    readonly kind: EditFailure,
    message: string,
    readonly problems: ConfigProblem[] = [],
  ) {
    super(message);
    this.name = "ConfigEditError";
  }
}

export const contentHash = (text: string) =>
  crypto.createHash("sha256").update(text, "utf8").digest("hex");

/** The file an edit writes: the target of a symlink (a mounted ConfigMap), never the link. */
export function configTarget(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return path.resolve(file);
  }
}

/** The raw text of the config file (placeholders unexpanded) and its hash, for a form to carry. */
export function readConfigSource(file: string): { text: string; hash: string } {
  const stat = fs.statSync(file);
  if (stat.size > MAX_CONFIG_BYTES)
    throw new ConfigEditError(
      "invalid",
      `The config file is larger than ${MAX_CONFIG_BYTES} bytes.`,
    );
  const text = fs.readFileSync(file, "utf8");
  return { text, hash: contentHash(text) };
}

export type Writability = { writable: true } | { writable: false; reason: string };

/**
 * Whether an edit can be saved: not when OPSDECK_CONFIG_READONLY says the file is
 * managed elsewhere (mounted from git), nor when the file or its directory (the
 * atomic rename needs it) is not writable by this process.
 */
export function configWritability(file: string, readOnlyFlag: boolean): Writability {
  if (readOnlyFlag) return { writable: false, reason: "OPSDECK_CONFIG_READONLY is set" };
  const target = configTarget(file);
  for (const [what, p] of [
    ["the file", target],
    ["its directory", path.dirname(target)],
  ] as const) {
    try {
      fs.accessSync(p, fs.constants.W_OK);
    } catch {
      return { writable: false, reason: `${what} (${p}) is not writable` };
    }
  }
  return { writable: true };
}

/** The list at `path`, or undefined when the file has none yet. */
function listAt(doc: Document, listPath: readonly string[]): YAMLSeq | undefined {
  const node: unknown = doc.getIn(listPath, true);
  if (node === undefined || node === null || (isScalar(node) && node.value === null))
    return undefined;
  if (!isSeq(node))
    throw new ConfigEditError("invalid", `${listPath.join(".")} is not a list in the file.`);
  return node;
}

/** The key node that names the list at `listPath` (for its column). */
function parentKey(doc: Document, listPath: readonly string[]): Node | undefined {
  const parent: unknown =
    listPath.length > 1 ? doc.getIn(listPath.slice(0, -1), true) : doc.contents;
  if (!isMap(parent)) return undefined;
  const pair = parent.items.find((p) => keyOf(p.key) === listPath[listPath.length - 1]);
  return isNode(pair?.key) && pair.key.range ? pair.key : undefined;
}

const idOf = (item: unknown): unknown => (isMap(item) ? item.get("id") : undefined);

function indexOfId(seq: YAMLSeq | undefined, id: string, listPath: readonly string[]): number {
  const index = seq ? seq.items.findIndex((item) => idOf(item) === id) : -1;
  if (index === -1)
    throw new ConfigEditError("not-found", `No entry with id "${id}" in ${listPath.join(".")}.`);
  return index;
}

/** The YAML of one entry as the file has it (comments and `${VAR}` kept), for a form. */
export function entrySource(text: string, listPath: readonly string[], id: string): string {
  const doc = parseDocument(text, { uniqueKeys: true });
  const seq = listAt(doc, listPath);
  const item = seq!.items[indexOfId(seq, id, listPath)] as Node;
  return renderNode(item);
}

/** The raw (unexpanded) values of one entry: a form's fields. */
export function entryValues(
  text: string,
  listPath: readonly string[],
  id: string,
): Record<string, unknown> {
  const doc = parseDocument(text, { uniqueKeys: true });
  const seq = listAt(doc, listPath);
  const item = seq!.items[indexOfId(seq, id, listPath)] as Node;
  return item.toJSON() as Record<string, unknown>;
}

/** Parses the YAML a form sent for one entry: one mapping with an id, no anchors or aliases. */
export function parseEntry(entry: string): YAMLMap {
  const bytes = Buffer.byteLength(entry, "utf8");
  if (bytes > MAX_ENTRY_BYTES)
    throw new ConfigEditError(
      "invalid",
      `The entry is ${bytes} bytes; an entry edited here may be at most ${MAX_ENTRY_BYTES} bytes.`,
      [{ path: "(entry)", message: `is larger than ${MAX_ENTRY_BYTES} bytes` }],
    );
  const doc = parseDocument(entry, { uniqueKeys: true });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => ({
      path: e.linePos ? `(entry) line ${e.linePos[0].line}, column ${e.linePos[0].col}` : "(entry)",
      message: e.message.split("\n")[0] ?? e.message,
    }));
    throw new ConfigEditError("invalid", "The entry is not valid YAML.", problems);
  }
  let shared = false;
  visit(doc, (_key, node) => {
    if (isAlias(node) || (isNode(node) && node.anchor)) {
      shared = true;
      return visit.BREAK;
    }
  });
  if (shared)
    throw new ConfigEditError(
      "invalid",
      "Anchors and aliases (&name, *name) cannot be used in an entry edited here; write the values out.",
      [{ path: "(entry)", message: "uses an anchor or alias" }],
    );
  if (!isMap(doc.contents))
    throw new ConfigEditError("invalid", "The entry must be a mapping of keys (id: …, type: …).", [
      { path: "(entry)", message: "expected a mapping of keys" },
    ]);
  const id = doc.contents.get("id");
  if (typeof id !== "string" || id === "")
    throw new ConfigEditError("invalid", "The entry needs an id.", [
      { path: "(entry).id", message: "is required (expected string)" },
    ]);
  // Comments above the entry belong to it, not to a document of their own.
  if (doc.commentBefore) {
    doc.contents.commentBefore = [doc.commentBefore, doc.contents.commentBefore]
      .filter(Boolean)
      .join("\n");
  }
  return doc.contents;
}

const plain = (v: unknown) => JSON.stringify(isNode(v) ? v.toJSON() : v);
const keyOf = (k: unknown) => String(isScalar(k) ? k.value : k);

/**
 * `existing` takes `next`'s keys and values; a key whose value did not change keeps
 * its node (and so its comments and style), keys gone from `next` are removed.
 */
function mergeInto(existing: YAMLMap, next: YAMLMap): void {
  const nextKeys = new Set(next.items.map((p) => keyOf(p.key)));
  existing.items = existing.items.filter((p) => nextKeys.has(keyOf(p.key)));
  for (const pair of next.items) {
    const key = keyOf(pair.key);
    const old = existing.items.find((p) => keyOf(p.key) === key);
    if (!old) existing.items.push(pair);
    else if (plain(old.value) !== plain(pair.value)) old.value = pair.value;
  }
}

/**
 * When `next` has the same keys as the block mapping `existing` and each changed value
 * is one line both before and after (the usual form edit: a new interval), the text with
 * just those values replaced: the spacing and comments around them stay as written.
 */
function valueSplices(text: string, existing: YAMLMap, next: YAMLMap): string | null {
  const oldKeys = existing.items.map((p) => keyOf(p.key));
  const newKeys = next.items.map((p) => keyOf(p.key));
  if (oldKeys.length !== newKeys.length || oldKeys.some((k) => !newKeys.includes(k))) return null;
  const cuts: { from: number; to: number; text: string }[] = [];
  for (const pair of existing.items) {
    const value = next.items.find((p) => keyOf(p.key) === keyOf(pair.key))!.value;
    if (plain(pair.value) === plain(value)) continue;
    if (!isNode(pair.value) || !pair.value.range || !isNode(value)) return null;
    const [from, to] = pair.value.range;
    const bare = value.clone() as Node;
    bare.comment = undefined;
    bare.commentBefore = undefined;
    const rendered = renderNode(bare);
    if (text.slice(from, to).includes("\n") || rendered.includes("\n")) return null;
    cuts.push({ from, to, text: rendered });
  }
  if (cuts.length === 0) return text;
  return cuts
    .sort((a, b) => b.from - a.from)
    .reduce((t, c) => t.slice(0, c.from) + c.text + t.slice(c.to), text);
}

/** One node as a YAML text of its own, comments included; no trailing newline. */
function renderNode(node: Node): string {
  return new Document(node).toString(RENDER).replace(/\n+$/, "");
}

/** `node` as an item of a block list whose dashes sit at `indent`: comment lines above the dash. */
function renderItem(node: Node, indent: string): string {
  const lines = renderNode(node).split("\n");
  const comments: string[] = [];
  while (lines.length > 1 && lines[0]!.startsWith("#")) comments.push(lines.shift()!);
  const body = lines.map((l, i) => (i === 0 || l === "" ? l : `${indent}  ${l}`)).join("\n");
  return [...comments.map((c) => `${indent}${c}`), `${indent}- ${body}`].join("\n");
}

const lineStart = (text: string, i: number) => text.lastIndexOf("\n", i - 1) + 1;
const lineEnd = (text: string, i: number) => {
  const j = text.indexOf("\n", i);
  return j === -1 ? text.length : j;
};

/** Where a block list's item is in the text: its dash line's start and indent, and its last line's end. */
function placeOf(text: string, item: unknown): { from: number; to: number; indent: string } | null {
  if (!isNode(item) || !item.range) return null;
  const [start, valueEnd] = item.range;
  const from = lineStart(text, start);
  const m = /^( *)- +$/.exec(text.slice(from, start));
  if (!m) return null;
  let end = valueEnd;
  while (end > start && /\s/.test(text[end - 1]!)) end--;
  return { from, to: lineEnd(text, end), indent: m[1]! };
}

/**
 * The file's text with one edit made to the list at `listPath`. Only the lines of the
 * entry change where the layout allows (a block list): everything else stays byte for
 * byte. Otherwise the document is written out again by the yaml library, which keeps
 * comments and order but may respace them. Throws ConfigEditError.
 */
export function editConfigText(
  text: string,
  listPath: readonly string[],
  edit: ConfigEdit,
): string {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0)
    throw new ConfigEditError(
      "invalid",
      "The config file on disk does not parse; fix it there first.",
      doc.errors.map((e) => ({ path: "(file)", message: e.message.split("\n")[0] ?? e.message })),
    );
  const seq = listAt(doc, listPath);
  let spliced: string | null = null;

  if (edit.op === "add") {
    const node = parseEntry(edit.entry);
    if (seq && seq.items.length > 0) {
      const last = seq.items[seq.items.length - 1];
      const place = !seq.flow && last ? placeOf(text, last) : null;
      if (place)
        spliced =
          text.slice(0, place.to) + "\n" + renderItem(node, place.indent) + text.slice(place.to);
      seq.items.push(node);
    } else if (seq) {
      // An empty list (`rules: []`) becomes a block list under its key.
      const key = parentKey(doc, listPath);
      if (seq.range && key) {
        const indent = " ".repeat(key.range![0] - lineStart(text, key.range![0]) + 2);
        const [from, to] = seq.range;
        spliced =
          text.slice(0, from).replace(/[ \t]+$/, "") +
          "\n" +
          renderItem(node, indent) +
          text.slice(to);
      }
      const list = new YAMLSeq();
      list.items.push(node);
      doc.setIn(listPath, list);
    } else {
      const list = new YAMLSeq();
      list.items.push(node);
      doc.setIn(listPath, list);
    }
  } else if (edit.op === "replace") {
    const node = parseEntry(edit.entry);
    const index = indexOfId(seq, edit.id, listPath);
    const item = seq!.items[index];
    const place = seq!.flow ? null : placeOf(text, item);
    const values = isMap(item) && !item.flow ? valueSplices(text, item, node) : null;
    if (values) spliced = values;
    if (isMap(item)) mergeInto(item, node);
    else seq!.items[index] = node;
    const merged = seq!.items[index] as Node;
    if (place && spliced === null)
      spliced = text.slice(0, place.from) + renderItem(merged, place.indent) + text.slice(place.to);
  } else {
    const index = indexOfId(seq, edit.id, listPath);
    const place = seq!.flow || seq!.items.length < 2 ? null : placeOf(text, seq!.items[index]);
    if (place) spliced = text.slice(0, place.from) + text.slice(place.to + 1);
    seq!.items.splice(index, 1);
  }

  const expected = JSON.stringify(doc.toJS({ maxAliasCount: MAX_ALIASES }));
  // The spliced text must mean exactly what the edited document means, or it is not used.
  if (spliced !== null && sameMeaning(spliced, expected)) return spliced;
  return doc.toString(RENDER);
}

function sameMeaning(text: string, expected: string): boolean {
  try {
    const doc = parseDocument(text, { uniqueKeys: true });
    return (
      doc.errors.length === 0 &&
      JSON.stringify(doc.toJS({ maxAliasCount: MAX_ALIASES })) === expected
    );
  } catch {
    return false;
  }
}

export type EditPlan = { text: string; diff: string; id: string | null };

/**
 * The edit made and checked: the whole new file must load (the loader's own messages,
 * with their paths), and it must be no larger than the loader accepts. Values looked up
 * from the environment never appear in a message. Throws ConfigEditError.
 */
export function planConfigEdit(args: {
  text: string;
  file: string;
  listPath: readonly string[];
  edit: ConfigEdit;
  lookup: (name: string) => string | undefined;
}): EditPlan {
  const { text, file, listPath, edit } = args;
  const next = editConfigText(text, listPath, edit);
  if (Buffer.byteLength(next, "utf8") > MAX_CONFIG_BYTES)
    throw new ConfigEditError(
      "invalid",
      `The config file would be larger than ${MAX_CONFIG_BYTES} bytes.`,
      [{ path: "(file)", message: `is larger than ${MAX_CONFIG_BYTES} bytes` }],
    );
  const looked: { name: string; value: string }[] = [];
  const lookup = (name: string) => {
    const value = args.lookup(name);
    if (value) looked.push({ name, value });
    return value;
  };
  try {
    parseConfig(next, file, lookup);
  } catch (err) {
    const scrub = (message: string) =>
      looked.reduce((m, { name, value }) => m.split(value).join(`\${${name}}`), message);
    if (err instanceof ConfigError)
      throw new ConfigEditError(
        "invalid",
        "The config would have problems; nothing was changed.",
        err.problems.map((p) => ({ path: p.path, message: scrub(p.message) })),
      );
    if (err instanceof ReferenceError)
      throw new ConfigEditError("invalid", "The config would expand too many aliases.", [
        { path: "(file)", message: `more than ${MAX_ALIASES} aliases` },
      ]);
    throw err;
  }
  const id = edit.op === "remove" ? edit.id : (parseEntry(edit.entry).get("id") as string);
  return { text: next, diff: unifiedDiff(text, next, path.basename(file)), id };
}

/**
 * Replaces the file with `text` if it still hashes to `expectedHash`: a temp file in
 * the same directory, fsynced, renamed over it (readers see the old file or the new,
 * never half of one), then the directory fsynced. The file's mode is kept.
 * Everything is synchronous, so no other edit in this process runs in between.
 */
export function writeConfigAtomically(file: string, expectedHash: string, text: string): void {
  const target = configTarget(file);
  const current = readConfigSource(target);
  if (current.hash !== expectedHash)
    throw new ConfigEditError(
      "conflict",
      "The config file changed on disk since this form was opened; reload the page to edit the current file.",
    );
  const dir = path.dirname(target);
  const mode = fs.statSync(target).mode & 0o777;
  const temp = path.join(
    dir,
    `.${path.basename(target)}.${process.pid}.${crypto.randomBytes(6).toString("hex")}.tmp`,
  );
  let fd: number | undefined;
  try {
    fd = fs.openSync(temp, "wx", mode);
    fs.writeFileSync(fd, text, "utf8");
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(temp, target);
  } catch (err) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(temp, { force: true });
    throw err;
  }
  const dirFd = fs.openSync(dir, "r");
  try {
    fs.fsyncSync(dirFd);
  } finally {
    fs.closeSync(dirFd);
  }
}

/** What a form sends for an edit; `baseHash` is the file's hash when the form was opened. */
export const configEditInput = z
  .strictObject({
    section: z.enum(Object.keys(EDITABLE_SECTIONS) as [EditableSection, ...EditableSection[]]),
    op: z.enum(["add", "replace", "remove"]),
    id: z.string().min(1).max(63).optional(),
    entry: z
      .string()
      .max(4 * MAX_ENTRY_BYTES, `an entry edited here may be at most ${MAX_ENTRY_BYTES} bytes`)
      .optional(),
    baseHash: z
      .string()
      .regex(/^[0-9a-f]{64}$/, "expected the hash of the file the form was opened on"),
  })
  .superRefine((v, ctx) => {
    if (v.op !== "add" && !v.id)
      ctx.addIssue({ code: "custom", path: ["id"], message: "is required to replace or remove" });
    if (v.op !== "remove" && v.entry === undefined)
      ctx.addIssue({ code: "custom", path: ["entry"], message: "is required to add or replace" });
  });
export type ConfigEditInput = z.output<typeof configEditInput>;

export function toEdit(input: ConfigEditInput): ConfigEdit {
  if (input.op === "add") return { op: "add", entry: input.entry! };
  if (input.op === "replace") return { op: "replace", id: input.id!, entry: input.entry! };
  return { op: "remove", id: input.id! };
}

/** An audit row keeps at most this much of a diff (its details are capped as a whole). */
const MAX_AUDIT_DIFF = 6_000;

export function auditDiff(diff: string): string {
  if (diff.length <= MAX_AUDIT_DIFF) return diff;
  const kept = diff.slice(0, MAX_AUDIT_DIFF);
  const dropped = diff.slice(MAX_AUDIT_DIFF).split("\n").length;
  return `${kept.slice(0, kept.lastIndexOf("\n") + 1)}… (${dropped} more lines)\n`;
}
