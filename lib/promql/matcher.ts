// One way to turn a label matcher into a test of a value, for every store that selects
// series (the built-in store's postings, the in-memory querier) and for the parser's
// "matches the empty string" check, so `=~` means the same thing everywhere.

import { compileFullMatch } from "../patterns";
import type { LabelMatcher } from "./ast";
import { PromQLEvalError } from "./eval-types";

/** Whether a label's value passes a matcher; a missing label is tested as "". */
export type MatcherTest = (value: string) => boolean;

/**
 * Compiles a matcher. Regular expressions are fully anchored RE2 (linear time), as in
 * Prometheus; one RE2 refuses is a `bad_data` error naming it.
 */
export function matcherTest(m: LabelMatcher): MatcherTest {
  switch (m.op) {
    case "=":
      return (v) => v === m.value;
    case "!=":
      return (v) => v !== m.value;
    case "=~":
    case "!~": {
      const re = compileFullMatch(m.value);
      if (typeof re === "string")
        throw new PromQLEvalError(
          "bad_data",
          `invalid regular expression ${JSON.stringify(m.value)}: ${re}`,
        );
      return m.op === "=~" ? re : (v) => !re(v);
    }
  }
}
