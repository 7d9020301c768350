/**
 * Verification of user-submitted spell scripts against the SpellScript safe subset of GDScript 4:
 * a real parse (`parser/`), then the allowlist verifier (`verify/`) over the tree, with the API
 * as data (`api/spellscript_api.ts`). Pure TypeScript, synchronous, no I/O: safe in a Web Worker
 * and in a `deno bundle` output.
 *
 * @example
 * ```ts
 * import { describeViolations, validateSpellScript } from "./mod.ts";
 * const report = validateSpellScript("extends SpellModule\n\nfunc on_cast(ctx: SpellContext) -> void:\n\tOS.alert('x')\n");
 * if (!report.ok) console.log(describeViolations(report.violations));
 * // line 4:2: OS is not part of the SpellScript API: it reaches the operating system, …
 * ```
 *
 * @module
 */

import { CAPABILITY_NAMES, SPELLSCRIPT_API } from "./api/spellscript_api.ts";
import type { Capability } from "./api/types.ts";
import { parseGdscript } from "./parser/mod.ts";
import { type VerifyOptions, verifySpell, type Violation } from "./verify/verify.ts";

export { CAPABILITY_NAMES, SPELLSCRIPT_API };
export type { Capability, VerifyOptions, Violation };

/** The manifest's `interface_version`: the version of the API spells are verified against. */
export const INTERFACE_VERSION = SPELLSCRIPT_API.version;

/** Outcome of {@linkcode validateSpellScript}. */
export type SpellScriptReport =
  | { readonly ok: true; readonly capabilities: Capability[] }
  | { readonly ok: false; readonly violations: Violation[] };

/**
 * Parses and verifies a spell. Never throws: a syntax error, a violation of the subset, or (a bug)
 * an exception inside the verifier all give `ok: false` with line-numbered violations in source
 * order; on success, the world capabilities the spell uses, sorted.
 */
export function validateSpellScript(
  source: string,
  options: VerifyOptions = {},
): SpellScriptReport {
  try {
    const parsed = parseGdscript(source);
    if (!parsed.ok) return { ok: false, violations: parsed.errors };
    const { script } = parsed;
    if (
      !script.extends && !script.className && script.annotations.length === 0 &&
      script.body.length === 0
    ) {
      return { ok: false, violations: [{ line: 1, col: 1, message: "spell script is empty" }] };
    }
    return verifySpell(script, source, options);
  } catch (error) {
    // A verifier bug must refuse the spell, never let it through or crash the build.
    const detail = error instanceof RangeError ? "it is nested too deeply" : "of an internal error";
    return {
      ok: false,
      violations: [{
        line: 1,
        col: 1,
        message: `this script could not be verified because ${detail}`,
      }],
    };
  }
}

/** The first `max` violations as one line: `line 4:2: …; line 9:1: … (and 3 more)`. */
export function describeViolations(violations: readonly Violation[], max = 5): string {
  const shown = violations.slice(0, max).map((v) => `line ${v.line}:${v.col}: ${v.message}`);
  const more = violations.length - shown.length;
  return shown.join("; ") + (more > 0 ? ` (and ${more} more)` : "");
}
