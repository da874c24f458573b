import "server-only";
import type { HttpMonitorConfig } from "@/server/config/schema";

export type JsonAssertion = NonNullable<HttpMonitorConfig["expect"]["json"]>;
type Expected = JsonAssertion["value"];
type ComparingOp = Exclude<JsonAssertion["op"], "exists">;

// "checks.database", "items[0].state": names between dots, or [n] indexes.
const PATH_SEGMENT = /([^.[\]]+)|\[(\d+)\]/g;

/** Why `document` fails the assertion, or null when it holds. */
export function jsonProblem(document: unknown, { path, op, value }: JsonAssertion): string | null {
  const actual = resolvePath(document, path);
  if (op === "exists") return actual === undefined ? `json ${path} is missing` : null;
  if (value === undefined) return `json ${path} ${op} has no value to compare with`;
  // A missing field fails even "!=": a health document without the field is not healthy.
  if (actual === undefined) return `json ${path} is missing, expected ${op} ${show(value)}`;
  if (holds(actual, op, value)) return null;
  return `json ${path} is ${show(actual)}, expected ${op} ${show(value)}`;
}

function resolvePath(document: unknown, path: string): unknown {
  let node = document;
  for (const [, name, index] of path.matchAll(PATH_SEGMENT)) {
    const key = name ?? index!;
    // Own properties only: "constructor" or "__proto__" must not resolve on every object.
    if (typeof node !== "object" || node === null || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function holds(actual: unknown, op: ComparingOp, expected: Expected): boolean {
  switch (op) {
    case "==":
      return actual === expected;
    case "!=":
      return actual !== expected;
    case "contains":
      if (typeof actual === "string")
        return typeof expected === "string" && actual.includes(expected);
      return Array.isArray(actual) && actual.includes(expected);
    default:
      return (
        typeof actual === "number" && typeof expected === "number" && compare(actual, op, expected)
      );
  }
}

function compare(actual: number, op: ">" | ">=" | "<" | "<=", expected: number): boolean {
  switch (op) {
    case ">":
      return actual > expected;
    case ">=":
      return actual >= expected;
    case "<":
      return actual < expected;
    case "<=":
      return actual <= expected;
  }
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}
