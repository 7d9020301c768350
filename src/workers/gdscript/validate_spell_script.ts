/**
 * Build-time validation of user-submitted GDScript spell scripts.
 *
 * Pure TypeScript with no runtime I/O, so it runs inside a Web Worker and survives bundling.
 *
 * @module
 */

import { findDeniedToken, type Violation } from "./denylist.ts";
import { buildOutline } from "./outline.ts";
import { checkTopLevel, ON_CAST } from "./rules.ts";
import { tokenize } from "./tokenize.ts";

/** Outcome of {@linkcode validateSpellScript}. */
export type SpellScriptReport = { ok: true } | { ok: false; line: number; message: string };

/**
 * Validates a spell script and reports its first violation.
 *
 * `line` is 1-based; `message` is short and has no "line N:" prefix, e.g.
 * "on_cast must be declared as func on_cast(ctx: SpellContext) -> void".
 * Lexical and indentation errors come first, since nothing after them can be trusted; then the
 * earliest rule violation in the source; a missing `on_cast` (line 1) only when nothing else is
 * wrong, because it has no place of its own.
 */
export function validateSpellScript(source: string): SpellScriptReport {
  const nul = source.indexOf("\0");
  if (nul >= 0) return fail({ line: lineAt(source, nul), message: "NUL byte in script" });
  const lexed = tokenize(source);
  if (!lexed.ok) return fail(lexed);
  if (lexed.lines.length === 0) return fail({ line: 1, message: "spell script is empty" });
  const outline = buildOutline(lexed.lines);
  if (!outline.ok) return fail(outline);
  const topLevel = checkTopLevel(outline.statements);
  const earliest = first(topLevel.violation, findDeniedToken(lexed.lines));
  if (earliest) return fail(earliest);
  if (!topLevel.hasOnCast) return fail({ line: 1, message: `missing ${ON_CAST}` });
  return { ok: true };
}

/** The earlier of two violations; on the same line the structural one wins. */
function first(structural: Violation | null, denied: Violation | null): Violation | null {
  if (!structural || !denied) return structural ?? denied;
  return denied.line < structural.line ? denied : structural;
}

function fail({ line, message }: Violation): SpellScriptReport {
  return { ok: false, line, message };
}

function lineAt(source: string, index: number): number {
  let line = 1;
  for (let i = source.indexOf("\n"); i >= 0 && i < index; i = source.indexOf("\n", i + 1)) line++;
  return line;
}
