/**
 * Token handling, error reporting and limits shared by the parser's parts: Godot's `advance`,
 * `match`, `check`, `consume`, `end_statement`, `synchronize` and multiline stack, plus the
 * nesting and work limits that keep hostile input from exhausting the stack or the clock.
 *
 * @module
 */

import type { ParseError, Span } from "./ast.ts";
import { Lexer, Token, type TokenType } from "./lexer.ts";

/**
 * Most nested expressions, blocks, patterns and types (together) a script may have. Real scripts
 * stay far below it; deeper input is refused with "Nesting too deep" instead of overflowing the
 * stack.
 */
export const MAX_NESTING_DEPTH = 200;

/** How many errors are reported before parsing stops. */
export const MAX_ERRORS = 5;

/** Limits of one parse; both default to the constants above. */
export interface ParseOptions {
  /** Most nested expressions, blocks, patterns and types (default {@linkcode MAX_NESTING_DEPTH}). */
  readonly maxNestingDepth?: number;
  /** Errors reported before parsing stops (default {@linkcode MAX_ERRORS}). */
  readonly maxErrors?: number;
}

/** The message for input nested deeper than `limit`. */
export function nestingTooDeep(limit: number): string {
  return `Nesting too deep: more than ${limit} nested expressions, blocks or patterns.`;
}

/** Thrown to unwind the parser once it has stopped (too many errors, too deep, no progress). */
export class StopParsing {}

/** Operator precedence, lowest first (Godot's `GDScriptParser::Precedence`). */
export const Prec = {
  NONE: 0,
  ASSIGNMENT: 1,
  CAST: 2,
  TERNARY: 3,
  LOGIC_OR: 4,
  LOGIC_AND: 5,
  LOGIC_NOT: 6,
  CONTENT_TEST: 7,
  COMPARISON: 8,
  BIT_OR: 9,
  BIT_XOR: 10,
  BIT_AND: 11,
  BIT_SHIFT: 12,
  ADDITION_SUBTRACTION: 13,
  FACTOR: 14,
  SIGN: 15,
  BIT_NOT: 16,
  POWER: 17,
  TYPE_TEST: 18,
  AWAIT: 19,
  CALL: 20,
  ATTRIBUTE: 21,
  SUBSCRIPT: 22,
  PRIMARY: 23,
} as const;

/** What a local name in scope is, for Godot's "There is already a … named …" errors. */
export type LocalKind =
  | "variable"
  | "constant"
  | "parameter"
  | "for loop iterator"
  | "pattern bind";

/** A block's local names, chained to the enclosing block's. */
export interface Scope {
  readonly locals: Map<string, LocalKind>;
  readonly parent: Scope | null;
}

/** The function (or lambda, accessor) being parsed. */
export interface FunctionContext {
  readonly name: string | null;
  readonly isStatic: boolean;
}

/** Where a node starts: a token or another node. */
export type Start = Pick<Span, "line" | "col" | "start">;

const GODOT_TOKEN_NAMES: Partial<Record<TokenType, string>> = {
  literal: "Literal",
  annotation: "Annotation",
  newline: "Newline",
  indent: "Indent",
  dedent: "Dedent",
  eof: "End of file",
  error: "Error",
  vcs_conflict_marker: "VCS conflict marker",
  NAN: "NaN",
};

/** The token as Godot names it in messages (`identifier "foo"`, `"Newline"`, `"if"`). */
export function tokenName(token: Token): string {
  if (token.type === "identifier") return `identifier "${token.value}"`;
  return `"${GODOT_TOKEN_NAMES[token.type] ?? token.type}"`;
}

function isLayoutToken(token: Token): boolean {
  const t = token.type;
  return t === "newline" || t === "indent" || t === "dedent" || t === "eof";
}

/** Parser state and primitives; the grammar lives in the subclasses. */
export abstract class ParserBase {
  protected readonly lexer: Lexer;
  protected readonly source: string;
  protected current: Token;
  protected previous: Token;
  /** End offset of the last token that is not layout (newline, indent, dedent). */
  protected lastEnd = 0;
  protected panicMode = false;
  protected lambdaEnded = false;
  protected inLambda = false;
  protected canBreak = false;
  protected canContinue = false;
  protected scope: Scope | null = null;
  protected fn: FunctionContext | null = null;
  readonly #errors: (ParseError & { offset: number })[] = [];
  readonly #multilineStack: boolean[] = [];
  #depth = 0;
  #steps = 0;
  readonly #maxSteps: number;
  readonly #maxDepth: number;
  readonly #maxErrors: number;
  #lineStarts: number[] | null = null;

  constructor(source: string, options: ParseOptions = {}) {
    this.source = source;
    this.#maxDepth = Math.max(1, options.maxNestingDepth ?? MAX_NESTING_DEPTH);
    this.#maxErrors = Math.max(1, options.maxErrors ?? MAX_ERRORS);
    this.lexer = new Lexer(source);
    this.current = this.previous = new Token("eof", 0, 0, 1, 1);
    // Each token costs a handful of steps; this only trips on a parser bug, never on real code.
    this.#maxSteps = 64 * (source.length + 64);
  }

  /** Errors so far, in the order found. */
  protected get errors(): readonly ParseError[] {
    return this.#errors.map(({ line, col, message }) => ({ line, col, message }));
  }

  /** Reads the first token, skipping leading newlines, as Godot's `parse()` does. */
  protected prime(): void {
    this.current = this.lexer.scan();
    while (this.current.type === "error" || this.current.type === "newline") {
      if (this.current.type === "error") this.#tokenError(this.current);
      this.current = this.lexer.scan();
    }
  }

  // -- Errors ------------------------------------------------------------------------------

  /**
   * Records an error at `at` (a node or token), or else where the parser stands: the current
   * token, or just after the previous one when the current token is a line break or the end.
   */
  protected error(message: string, at?: Start): void {
    this.panicMode = true;
    if (at) {
      this.#record(message, at.line, at.col, at.start);
      return;
    }
    if (!isLayoutToken(this.current)) {
      this.#record(message, this.current.line, this.current.col, this.current.start);
      return;
    }
    const { line, col } = this.locate(this.lastEnd);
    this.#record(message, line, col, this.lastEnd);
  }

  #tokenError(token: Token): void {
    this.panicMode = true;
    this.#record(String(token.value), token.line, token.col, token.start);
  }

  #record(message: string, line: number, col: number, offset: number, force = false): void {
    // A second error on the same line is almost always a consequence of the first.
    if (!force && this.#errors.some((e) => e.line === line)) return;
    this.#errors.push({ line, col, message, offset });
    if (this.#errors.length >= this.#maxErrors) throw new StopParsing();
  }

  /** Records an error and stops parsing. */
  protected fatal(message: string, at?: Start): never {
    this.panicMode = true;
    const where = at ??
      (isLayoutToken(this.current)
        ? { ...this.locate(this.lastEnd), start: this.lastEnd }
        : this.current);
    try {
      this.#record(message, where.line, where.col, where.start, true);
    } catch {
      // At the error limit: the message is recorded all the same.
    }
    throw new StopParsing();
  }

  /** 1-based line and column of a source offset. */
  protected locate(offset: number): { line: number; col: number } {
    if (!this.#lineStarts) {
      const starts = [0];
      for (let i = this.source.indexOf("\n"); i >= 0; i = this.source.indexOf("\n", i + 1)) {
        starts.push(i + 1);
      }
      this.#lineStarts = starts;
    }
    const starts = this.#lineStarts;
    let lo = 0, hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: offset - starts[lo]! + 1 };
  }

  // -- Limits ------------------------------------------------------------------------------

  /** Enters one level of nesting; refuses input nested deeper than the limit. */
  protected enter(): void {
    if (++this.#depth > this.#maxDepth) this.fatal(nestingTooDeep(this.#maxDepth));
  }

  /** The nesting limit of this parse. */
  protected get maxDepth(): number {
    return this.#maxDepth;
  }

  /** Leaves a level entered with {@linkcode enter}. */
  protected leave(): void {
    this.#depth--;
  }

  /** Counts a unit of work; stops a parse that would otherwise not terminate. */
  protected tick(): void {
    if (++this.#steps > this.#maxSteps) this.fatal("The parser stopped making progress.");
  }

  // -- Tokens ------------------------------------------------------------------------------

  /** Consumes the current token and returns it. */
  protected advance(): Token {
    this.lambdaEnded = false;
    this.tick();
    if (this.current.type === "eof") return this.current;
    this.previous = this.current;
    if (!isLayoutToken(this.previous)) this.lastEnd = this.previous.end;
    this.current = this.lexer.scan();
    while (this.current.type === "error") {
      this.#tokenError(this.current);
      this.current = this.lexer.scan();
    }
    return this.previous;
  }

  /** Consumes the current token if it is of `type`. */
  protected match(type: TokenType): boolean {
    if (!this.check(type)) return false;
    this.advance();
    return true;
  }

  /** True if the current token is of `type` (`identifier` also accepts `match`, `when`, `PI`…). */
  protected check(type: TokenType): boolean {
    if (type === "identifier") return this.current.isIdentifier();
    return this.current.type === type;
  }

  /** Consumes a token of `type` or records `message`. */
  protected consume(type: TokenType, message: string): boolean {
    if (this.match(type)) return true;
    this.error(message);
    return false;
  }

  protected isAtEnd(): boolean {
    return this.current.type === "eof";
  }

  /** After an error, skips to a likely statement start (Godot's `synchronize`). */
  protected synchronize(): void {
    this.panicMode = false;
    while (!this.isAtEnd()) {
      if (this.previous.type === "newline" || this.previous.type === ";") return;
      switch (this.current.type) {
        case "class":
        case "func":
        case "static":
        case "var":
        case "const":
        case "signal":
        case "for":
        case "while":
        case "match":
        case "return":
        case "annotation":
          return;
      }
      this.advance();
    }
  }

  /** Enters (true) or leaves (false) bracket mode, where line breaks are not tokens. */
  protected pushMultiline(on: boolean): void {
    this.#multilineStack.push(on);
    this.lexer.setMultilineMode(on);
    if (on) {
      // Drop layout tokens already read ahead.
      while (isLayoutToken(this.current) && this.current.type !== "eof") {
        this.current = this.lexer.scan();
        while (this.current.type === "error") {
          this.#tokenError(this.current);
          this.current = this.lexer.scan();
        }
      }
    }
  }

  protected popMultiline(): void {
    this.#multilineStack.pop();
    const n = this.#multilineStack.length;
    this.lexer.setMultilineMode(n > 0 ? this.#multilineStack[n - 1]! : false);
  }

  /** True inside brackets. */
  protected get multiline(): boolean {
    const n = this.#multilineStack.length;
    return n > 0 && this.#multilineStack[n - 1]!;
  }

  /** Replaces the current token with the next one without making it `previous`. */
  protected skipCurrent(): void {
    this.current = this.lexer.scan();
    while (this.current.type === "error") {
      this.#tokenError(this.current);
      this.current = this.lexer.scan();
    }
  }

  protected isStatementEndToken(): boolean {
    const t = this.current.type;
    return t === "newline" || t === ";" || t === "eof";
  }

  protected isStatementEnd(): boolean {
    return this.lambdaEnded || this.inLambda || this.isStatementEndToken();
  }

  /** Godot's `end_statement`: consumes the newlines and semicolons that end a statement. */
  protected endStatement(context: string): void {
    let found = false;
    while (this.isStatementEnd() && !this.isAtEnd()) {
      if (this.isStatementEndToken()) {
        this.advance();
      } else if (this.lambdaEnded) {
        this.lambdaEnded = false;
        found = true;
        break;
      } else {
        if (!found) {
          this.lambdaEnded = true;
          found = true;
        }
        break;
      }
      found = true;
    }
    if (!found && !this.isAtEnd()) {
      this.error(
        `Expected end of statement after ${context}, found ${tokenName(this.current)} instead.`,
      );
    }
  }

  // -- Spans and scopes --------------------------------------------------------------------

  /** The span from `start` to the end of the last token consumed. */
  protected spanFrom(start: Start): Span {
    return {
      line: start.line,
      col: start.col,
      start: start.start,
      end: Math.max(this.lastEnd, start.start),
    };
  }

  /** Opens a block scope. */
  protected pushScope(): Scope {
    this.scope = { locals: new Map(), parent: this.scope };
    return this.scope;
  }

  /** Closes the innermost block scope. */
  protected popScope(): void {
    this.scope = this.scope?.parent ?? null;
  }

  /** What `name` is in the current scope chain, if anything. */
  protected lookupLocal(name: string): LocalKind | undefined {
    for (let s = this.scope; s; s = s.parent) {
      const kind = s.locals.get(name);
      if (kind) return kind;
    }
    return undefined;
  }
}
