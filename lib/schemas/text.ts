import { z } from "zod";

// C0 and C1 controls, DEL, the line/paragraph separators, and the bidirectional
// overrides, embeddings, isolates and marks that make text display as something else.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;
const CONTROL_BUT_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/u;
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

function codePoint(ch: string): string {
  return `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
}

/** Why `value` is not plain printable text, or null when it is. */
export function unprintable(value: string, opts: { multiline?: boolean } = {}): string | null {
  const control = (opts.multiline ? CONTROL_BUT_LINES : CONTROL).exec(value);
  if (control) return `contains the control character ${codePoint(control[0])}`;
  const bidi = BIDI.exec(value);
  if (bidi) return `contains the bidirectional formatting character ${codePoint(bidi[0])}`;
  return null;
}

/**
 * Text that people will read in the UI, a log or a notification: no control characters
 * (tabs and newlines only when `multiline`) and no bidi formatting that could make it
 * read differently from what it is. The message names the field.
 */
export function printableText(field: string, max: number, opts: { multiline?: boolean } = {}) {
  return z
    .string()
    .max(max, `${field} is at most ${max} characters`)
    .superRefine((value, ctx) => {
      const problem = unprintable(value, opts);
      if (problem) ctx.addIssue({ code: "custom", message: `${field} ${problem}` });
    });
}
