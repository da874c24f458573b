import { RE2JS } from "re2js";

/** Whether a whole string matches; runs in time linear in the input. */
export type FullMatch = (input: string) => boolean;

/**
 * Compiles a user-supplied regular expression with RE2 semantics (linear time, no
 * backreferences or lookaround), anchored at both ends as Alertmanager and Prometheus
 * anchor theirs. Returns the reason as a string when the pattern is refused.
 */
export function compileFullMatch(source: string): FullMatch | string {
  try {
    // Compiled on its own first, so "a)|(b" cannot close the anchoring group.
    RE2JS.compile(source);
    const re = RE2JS.compile(`^(?:${source})$`);
    return (input) => re.test(input);
  } catch (err) {
    return (err instanceof Error ? err.message : String(err)).replace(
      /^error parsing regexp: /,
      "",
    );
  }
}
