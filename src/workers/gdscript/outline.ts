/**
 * Block structure of a GDScript file, built from the indentation of its logical lines.
 *
 * @module
 */

import type { LogicalLine, ParseFailure, Token } from "./tokenize.ts";

/** A logical line and the statements of the block it opens (empty unless it ends with `:`). */
export interface Statement {
  readonly line: number;
  readonly tokens: readonly Token[];
  readonly body: Statement[];
}

/** Result of {@linkcode buildOutline}: the top-level statements, or the first block error. */
export type OutlineResult = { readonly ok: true; readonly statements: Statement[] } | ParseFailure;

interface Level {
  readonly width: number;
  readonly body: Statement[];
}

/**
 * Nests logical lines into blocks the way Godot 4's tokenizer does: one indentation character
 * per file, a deeper line only after a line ending in `:`, and a dedent back to an open level.
 */
export function buildOutline(lines: readonly LogicalLine[]): OutlineResult {
  const statements: Statement[] = [];
  const levels: Level[] = [{ width: 0, body: statements }];
  let indentChar = "";
  let prev: Statement | null = null;
  for (const { line, indent, tokens } of lines) {
    const charError = checkIndentChars(indent, indentChar);
    if (charError) return fail(line, charError);
    indentChar ||= indent[0] ?? "";
    const top = levels[levels.length - 1] as Level;
    const stmt: Statement = { line, tokens, body: [] };
    if (prev && opensBlock(prev)) {
      if (indent.length <= top.width) {
        return fail(prev.line, "expected an indented block after this line");
      }
      levels.push({ width: indent.length, body: prev.body });
    } else if (indent.length > top.width) {
      return fail(line, "unexpected indentation");
    } else {
      while (indent.length < (levels[levels.length - 1] as Level).width) levels.pop();
      if ((levels[levels.length - 1] as Level).width !== indent.length) {
        return fail(line, "unindent does not match any outer indentation level");
      }
    }
    (levels[levels.length - 1] as Level).body.push(stmt);
    prev = stmt;
  }
  if (prev && opensBlock(prev)) {
    return fail(prev.line, "expected an indented block after this line");
  }
  return { ok: true, statements };
}

function checkIndentChars(indent: string, fileChar: string): string | null {
  if (indent.includes("\t") && indent.includes(" ")) return "mixed tabs and spaces in indentation";
  const ch = indent[0];
  if (!ch || !fileChar || ch === fileChar) return null;
  return ch === "\t"
    ? "indented with tabs, but spaces were used before in the file"
    : "indented with spaces, but tabs were used before in the file";
}

function opensBlock(stmt: Statement): boolean {
  const last = stmt.tokens[stmt.tokens.length - 1];
  return last?.kind === "op" && last.text === ":";
}

function fail(line: number, message: string): ParseFailure {
  return { ok: false, line, message };
}
