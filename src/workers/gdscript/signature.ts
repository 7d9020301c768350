/**
 * Function declarations read from a statement's tokens.
 *
 * @module
 */

import type { Statement } from "./outline.ts";
import type { Token } from "./tokenize.ts";

/** One declared parameter; `type` is the written type (`Array[int]`) or null if untyped. */
export interface Param {
  readonly name: string;
  readonly type: string | null;
  readonly hasDefault: boolean;
  readonly variadic: boolean;
}

/** A `func` declaration; `wellFormed` is false when the header could not be read. */
export interface FuncDecl {
  readonly name: string;
  readonly line: number;
  readonly isStatic: boolean;
  readonly params: readonly Param[];
  readonly returnType: string | null;
  readonly wellFormed: boolean;
}

/** Reads `[@annotations] [static] func name(params) [-> Type]:`; null for other statements. */
export function parseFuncDecl(stmt: Statement): FuncDecl | null {
  const tokens = stmt.tokens;
  let i = skipAnnotations(tokens, 0);
  const isStatic = isWord(tokens[i], "static");
  if (isStatic) i++;
  if (!isWord(tokens[i], "func")) return null;
  const nameToken = tokens[i + 1];
  if (nameToken?.kind !== "ident") return null;
  const decl = { name: nameToken.text, line: stmt.line, isStatic };
  const malformed: FuncDecl = { ...decl, params: [], returnType: null, wellFormed: false };
  if (!isOp(tokens[i + 2], "(")) return malformed;
  const close = matchingClose(tokens, i + 2);
  if (close < 0) return malformed;
  const params = splitTopLevel(tokens, i + 3, close).map(parseParam);
  const header = readReturnType(tokens, close + 1);
  if (!header || params.includes(null)) return malformed;
  return { ...decl, params: params as Param[], returnType: header.returnType, wellFormed: true };
}

function isWord(token: Token | undefined, word: string): boolean {
  return token?.kind === "ident" && token.text === word;
}

function isOp(token: Token | undefined, op: string): boolean {
  return token?.kind === "op" && token.text === op;
}

function depthDelta(token: Token): number {
  if (token.kind !== "op") return 0;
  if (token.text === "(" || token.text === "[" || token.text === "{") return 1;
  if (token.text === ")" || token.text === "]" || token.text === "}") return -1;
  return 0;
}

function skipAnnotations(tokens: readonly Token[], start: number): number {
  let i = start;
  while (tokens[i]?.kind === "annotation") {
    i++;
    if (isOp(tokens[i], "(")) {
      const close = matchingClose(tokens, i);
      if (close < 0) return tokens.length;
      i = close + 1;
    }
  }
  return i;
}

/** Index of the bracket closing the one at `open`, or -1. */
function matchingClose(tokens: readonly Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    depth += depthDelta(tokens[i] as Token);
    if (depth === 0) return i;
  }
  return -1;
}

/** Comma-separated groups of tokens[start, end) at bracket depth 0; a trailing comma is allowed. */
function splitTopLevel(tokens: readonly Token[], start: number, end: number): Token[][] {
  const groups: Token[][] = [];
  let group: Token[] = [];
  let depth = 0;
  for (let i = start; i < end; i++) {
    const token = tokens[i] as Token;
    depth += depthDelta(token);
    if (depth === 0 && isOp(token, ",")) {
      groups.push(group);
      group = [];
    } else group.push(token);
  }
  if (group.length > 0 || groups.length > 0) groups.push(group);
  if (groups.length > 0 && groups[groups.length - 1]?.length === 0) groups.pop();
  return groups;
}

/** `name`, `name: Type`, `name := value`, `name: Type = value`, `...name: Array`. */
function parseParam(tokens: Token[]): Param | null {
  const variadic = isOp(tokens[0], ".") && isOp(tokens[1], ".") && isOp(tokens[2], ".");
  const at = variadic ? 3 : 0;
  const nameToken = tokens[at];
  if (nameToken?.kind !== "ident") return null;
  const after = tokens[at + 1];
  const base = { name: nameToken.text, variadic };
  if (!after) return { ...base, type: null, hasDefault: false };
  if (isOp(after, ":=") || isOp(after, "=")) {
    return tokens.length > at + 2 ? { ...base, type: null, hasDefault: true } : null;
  }
  if (!isOp(after, ":")) return null;
  const typeTokens: Token[] = [];
  let depth = 0;
  for (let i = at + 2; i < tokens.length; i++) {
    const token = tokens[i] as Token;
    depth += depthDelta(token);
    if (depth === 0 && isOp(token, "=")) {
      const hasValue = i + 1 < tokens.length;
      return typeTokens.length > 0 && hasValue
        ? { ...base, type: joined(typeTokens), hasDefault: true }
        : null;
    }
    typeTokens.push(token);
  }
  return typeTokens.length > 0 ? { ...base, type: joined(typeTokens), hasDefault: false } : null;
}

/** Reads `[-> Type]:` after the parameter list; null when the header does not end in `:`. */
function readReturnType(
  tokens: readonly Token[],
  start: number,
): { returnType: string | null } | null {
  if (isOp(tokens[start], ":")) return { returnType: null };
  if (!isOp(tokens[start], "->")) return null;
  const typeTokens: Token[] = [];
  let depth = 0;
  for (let i = start + 1; i < tokens.length; i++) {
    const token = tokens[i] as Token;
    depth += depthDelta(token);
    if (depth === 0 && isOp(token, ":")) {
      return typeTokens.length > 0 ? { returnType: joined(typeTokens) } : null;
    }
    typeTokens.push(token);
  }
  return null;
}

function joined(tokens: readonly Token[]): string {
  return tokens.map((t) => t.text).join("");
}
