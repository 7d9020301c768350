/**
 * GDScript 4 tokenizer, modelled on Godot's `GDScriptTokenizerText` (gdscript_tokenizer.cpp).
 *
 * Like Godot's, it is driven by the parser: {@linkcode Lexer.scan} returns one token at a time,
 * and the parser switches "multiline mode" on inside brackets (newlines and indentation are then
 * not tokens) and off again for lambda bodies. Indentation becomes `indent`/`dedent` tokens, a
 * backslash before a newline joins lines *between* tokens only (so `fo\⏎o` is two identifiers),
 * and `+`/`-` directly before a digit are part of a number literal unless the previous token
 * could end an operand, all as Godot does it.
 *
 * Lexical errors never throw: they come back as `error` tokens (`value` is the message) and
 * scanning goes on, as in Godot.
 *
 * @module
 */

import {
  isDigit,
  isIdentifierContinue,
  isIdentifierStart,
  isUnicodeWhitespace,
  latinSkeleton,
} from "./chars.ts";
import { scanNumber, scanString } from "./lexer_literals.ts";

/**
 * Token types: keywords and punctuation are their own text (`"if"`, `"+="`); the rest are
 * `identifier`, `literal`, `annotation`, `_`, `newline`, `indent`, `dedent`, `error`, `eof`,
 * `vcs_conflict_marker` and `` ` ``/`?` (kept only for better error messages).
 */
export type TokenType =
  | "identifier"
  | "literal"
  | "annotation"
  | "newline"
  | "indent"
  | "dedent"
  | "error"
  | "eof"
  | "vcs_conflict_marker"
  | Keyword
  | Punctuation;

/** Reserved words (with `PI`, `TAU`, `INF`, `NAN`, which Godot also tokenizes apart). */
export type Keyword = typeof KEYWORD_LIST[number];

// deno-fmt-ignore
const KEYWORD_LIST = [
  "and", "as", "assert", "await", "break", "breakpoint", "class", "class_name", "const",
  "continue", "elif", "else", "enum", "extends", "for", "func", "if", "in", "is", "match",
  "namespace", "not", "or", "pass", "preload", "return", "self", "signal", "static", "super",
  "trait", "var", "void", "when", "while", "yield", "PI", "TAU", "INF", "NAN",
] as const;

/** Operators and punctuation. */
// deno-fmt-ignore
export type Punctuation =
  | "<" | "<=" | ">" | ">=" | "==" | "!=" | "&&" | "||" | "!" | "&" | "|" | "~" | "^" | "<<"
  | ">>" | "+" | "-" | "*" | "**" | "/" | "%" | "=" | "+=" | "-=" | "*=" | "**=" | "/=" | "%="
  | "<<=" | ">>=" | "&=" | "|=" | "^=" | "[" | "]" | "{" | "}" | "(" | ")" | "," | ";" | "."
  | ".." | "..." | ":" | "$" | "->" | "_" | "`" | "?";

const KEYWORDS: ReadonlyMap<string, Keyword> = new Map(KEYWORD_LIST.map((k) => [k, k]));

/** What a `literal` token holds. */
export type LiteralType =
  | "int"
  | "float"
  | "string"
  | "string_name"
  | "node_path"
  | "bool"
  | "null";

/** One token. Positions are of its first character; `end` is exclusive. */
export class Token {
  constructor(
    /** The token type. */
    readonly type: TokenType,
    /** Offset of the first character. */
    readonly start: number,
    /** Offset just past the last character. */
    readonly end: number,
    /** 1-based line of the first character. */
    readonly line: number,
    /** 1-based column (UTF-16 code units) of the first character. */
    readonly col: number,
    /**
     * Identifiers, keywords, annotations: the text as written (annotation without `@`).
     * Literals: the value. Errors: the message.
     */
    readonly value: string | number | boolean | null = null,
    /** For literals: what kind of value. */
    readonly literalType: LiteralType | null = null,
    /** Strings: raw (`r"…"`); identifiers: has non-ASCII characters. */
    readonly flag = false,
    /** Strings: triple-quoted. */
    readonly triple = false,
  ) {}

  /** True for tokens that name things: identifiers, plus `match`, `when` and the constants. */
  isIdentifier(): boolean {
    return IDENTIFIER_LIKE.has(this.type);
  }

  /** True for tokens allowed as a `$node/name` segment or after `.`: identifiers and keywords. */
  isNodeName(): boolean {
    return this.type === "identifier" || this.type === "_" || KEYWORDS.has(this.type);
  }

  /** True if a `+`/`-` right after this token is a binary operator (Godot's `can_precede_bin_op`). */
  canPrecedeBinaryOperator(): boolean {
    return OPERAND_END.has(this.type);
  }
}

const IDENTIFIER_LIKE: ReadonlySet<TokenType> = new Set<TokenType>([
  "identifier",
  "match",
  "when",
  "PI",
  "TAU",
  "INF",
  "NAN",
]);
const OPERAND_END: ReadonlySet<TokenType> = new Set<TokenType>([
  "identifier",
  "literal",
  "self",
  "]",
  "}",
  ")",
  "PI",
  "TAU",
  "INF",
  "NAN",
]);

/** Lexical errors kept per source; more are dropped (the parser reports only the first few). */
const MAX_QUEUED_ERRORS = 32;

const BLANKS = /[ \t]*/y;
const ASCII_NAME = /[A-Za-z0-9_]*/y;

/** Columns one tab counts for when comparing indentation (Godot's default editor tab size). */
const TAB_SIZE = 4;

const LF = 10, CR = 13, TAB = 9, SPACE = 32, HASH = 35, BACKSLASH = 92;

/** Incremental tokenizer; see the module documentation. */
export class Lexer {
  readonly #src: string;
  #pos = 0;
  #line = 1;
  #lineStart = 0;
  #multiline = false;
  #lineContinuation = false;
  #pendingNewline = false;
  #lastNewline: Token | null = null;
  #lastToken: Token | null = null;
  #pendingIndents = 0;
  #indentStack: number[] = [];
  readonly #indentStackStack: number[][] = [];
  #indentChar = 0;
  readonly #parens: number[] = [];
  readonly #errors: Token[] = [];
  #errorCount = 0;
  #tokenStart = 0;
  #tokenLine = 1;
  #tokenCol = 1;

  constructor(source: string) {
    this.#src = source;
    // A UTF-8 byte order mark is dropped when Godot reads a file, so it is not part of the script.
    if (source.charCodeAt(0) === 0xfeff) this.#pos = this.#lineStart = 1;
  }

  /** The source being tokenized. */
  get source(): string {
    return this.#src;
  }

  /** In multiline mode (inside brackets) newlines and indentation produce no tokens. */
  setMultilineMode(on: boolean): void {
    this.#multiline = on;
  }

  /** Saves the indentation levels before the body of a lambda written inside brackets. */
  pushExpressionIndentedBlock(): void {
    this.#indentStackStack.push(this.#indentStack.slice());
  }

  /** Restores the indentation levels saved by {@linkcode pushExpressionIndentedBlock}. */
  popExpressionIndentedBlock(): void {
    const saved = this.#indentStackStack.pop();
    if (saved) this.#indentStack = saved;
  }

  /** Returns the next token (`eof` forever once the source is exhausted). */
  scan(): Token {
    for (;;) {
      if (this.#errors.length > 0) return this.#errors.shift()!;
      this.#skipWhitespace();
      if (this.#pendingNewline) {
        this.#pendingNewline = false;
        if (!this.#multiline) return this.#lastNewline!;
      }
      if (this.#errors.length > 0) return this.#errors.shift()!;
      this.#beginToken();
      if (this.#pendingIndents !== 0) return this.#indentToken();
      if (this.#pos >= this.#src.length) return this.#make("eof");
      const c = this.#src.charCodeAt(this.#pos);
      if (c !== BACKSLASH) {
        this.#lineContinuation = false;
        return this.#scanToken(c);
      }
      // A backslash joins this line to the next one, between tokens.
      this.#advance();
      if (this.#peek() === CR) {
        if (this.#peek(1) !== LF) return this.#error("Unexpected carriage return character.");
        this.#advance();
      }
      if (this.#peek() !== LF) return this.#error('Expected new line after "\\".');
      this.#advance();
      this.#newline(false);
      this.#lineContinuation = true;
    }
  }

  // -- Scanner primitives, shared with lexer_literals.ts -----------------------------------

  /** The code unit `offset` characters ahead, or 0 past the end. */
  peek(offset = 0): number {
    const i = this.#pos + offset;
    return i < this.#src.length ? this.#src.charCodeAt(i) : 0;
  }

  /** Current offset. */
  get pos(): number {
    return this.#pos;
  }

  /** True when the whole source is consumed. */
  atEnd(): boolean {
    return this.#pos >= this.#src.length;
  }

  /** Consumes one code unit; on reaching the end, emits the final newline and dedents as Godot does. */
  advance(): number {
    return this.#advance();
  }

  /** Consumes up to `offset` (used for runs of plain characters). */
  advanceTo(offset: number): void {
    if (offset <= this.#pos) return;
    if (offset >= this.#src.length) {
      this.#pos = this.#src.length - 1;
      this.#advance();
    } else {
      this.#pos = offset;
    }
  }

  /** Notes a line break consumed inside a token (strings), without a newline token. */
  lineBreakInToken(): void {
    this.#newline(false);
  }

  /** Queues an error at `offset` (default: the current position), returned by the next scans. */
  pushError(message: string, offset = this.#pos): void {
    // The parser stops after a few errors; hostile input must not queue thousands.
    if (++this.#errorCount > MAX_QUEUED_ERRORS) return;
    this.#errors.push(this.#errorAt(message, offset));
  }

  /** Makes a token of `type` from the token start to the current position. */
  make(
    type: TokenType,
    value: Token["value"] = null,
    literalType: LiteralType | null = null,
    flag = false,
    triple = false,
  ): Token {
    return this.#make(type, value, literalType, flag, triple);
  }

  /** Makes an error token spanning the current token. */
  error(message: string): Token {
    return this.#error(message);
  }

  /** Offset of the first character of the token being scanned. */
  get tokenStart(): number {
    return this.#tokenStart;
  }

  /** The token made before the one being scanned (newlines included). */
  get lastToken(): Token | null {
    return this.#lastToken;
  }

  // -- Internals ---------------------------------------------------------------------------

  #peek(offset = 0): number {
    const i = this.#pos + offset;
    return i < this.#src.length ? this.#src.charCodeAt(i) : 0;
  }

  #advance(): number {
    if (this.#pos >= this.#src.length) return 0;
    const c = this.#src.charCodeAt(this.#pos++);
    if (this.#pos >= this.#src.length) {
      // Godot adds a final newline and the dedents the parser needs.
      this.#newline(true, true);
      this.#checkIndent();
    }
    return c;
  }

  #beginToken(): void {
    this.#tokenStart = this.#pos;
    this.#tokenLine = this.#line;
    this.#tokenCol = this.#pos - this.#lineStart + 1;
  }

  #make(
    type: TokenType,
    value: Token["value"] = null,
    literalType: LiteralType | null = null,
    flag = false,
    triple = false,
  ): Token {
    const token = new Token(
      type,
      this.#tokenStart,
      this.#pos,
      this.#tokenLine,
      this.#tokenCol,
      value,
      literalType,
      flag,
      triple,
    );
    this.#lastToken = token;
    return token;
  }

  #error(message: string): Token {
    return new Token(
      "error",
      this.#tokenStart,
      this.#pos,
      this.#tokenLine,
      this.#tokenCol,
      message,
    );
  }

  #errorAt(message: string, offset: number): Token {
    const { line, col } = this.#locate(offset);
    return new Token("error", offset, offset, line, col, message);
  }

  /** Line and column of an offset at or after the current line's start (or anywhere, slowly). */
  #locate(offset: number): { line: number; col: number } {
    if (offset >= this.#lineStart) return { line: this.#line, col: offset - this.#lineStart + 1 };
    let line = 1, lineStart = 0;
    for (
      let i = this.#src.indexOf("\n");
      i >= 0 && i < offset;
      i = this.#src.indexOf("\n", i + 1)
    ) {
      line++;
      lineStart = i + 1;
    }
    return { line, col: offset - lineStart + 1 };
  }

  /** Emits a newline token if one is due; `synthetic` is the one added at the end of the source. */
  #newline(makeToken: boolean, synthetic = false): void {
    if (makeToken && !this.#pendingNewline && !this.#lineContinuation) {
      const at = Math.max(this.#pos - 1, this.#lineStart);
      const token = new Token("newline", at, at, this.#line, at - this.#lineStart + 1);
      this.#pendingNewline = true;
      this.#lastToken = token;
      this.#lastNewline = token;
    }
    if (synthetic) return;
    this.#line++;
    this.#lineStart = this.#pos;
  }

  #indentToken(): Token {
    // Indent and dedent tokens sit at the start of the line they belong to.
    this.#tokenStart = this.#lineStart;
    this.#tokenCol = 1;
    if (this.#pendingIndents > 0) {
      this.#pendingIndents--;
      return this.#make("indent");
    }
    this.#pendingIndents++;
    return this.#make("dedent");
  }

  #skipWhitespace(): void {
    if (this.#pendingIndents !== 0) return;
    const atLineStart = this.#pos === this.#lineStart;
    if (atLineStart) {
      this.#checkIndent();
      return;
    }
    for (;;) {
      const c = this.#peek();
      if (c === SPACE || c === TAB) {
        BLANKS.lastIndex = this.#pos;
        BLANKS.test(this.#src);
        this.advanceTo(BLANKS.lastIndex);
      } else if (c === CR) {
        this.#advance();
        if (this.#peek() !== LF) {
          this.pushError("Stray carriage return character in source code.", this.#pos - 1);
          return;
        }
      } else if (c === LF) {
        this.#advance();
        this.#newline(true);
        this.#checkIndent();
      } else if (c === HASH) {
        this.#skipComment();
        if (this.atEnd()) return;
        this.#advance(); // The line feed.
        this.#newline(true);
        this.#checkIndent();
      } else {
        return;
      }
    }
  }

  #skipComment(): void {
    const lf = this.#src.indexOf("\n", this.#pos);
    this.advanceTo(lf < 0 ? this.#src.length : lf);
  }

  /** Godot's `check_indent`: at the start of a line, turns its indentation into indent/dedent. */
  #checkIndent(): void {
    if (this.atEnd()) {
      this.#dedentAll();
      return;
    }
    for (;;) {
      const first = this.#peek();
      if (first !== SPACE && first !== TAB && first !== CR && first !== LF && first !== HASH) {
        // Code at column 1 closes every block, unless this line continues an expression.
        if (this.#lineContinuation || this.#multiline) return;
        this.#dedentAll();
        return;
      }
      if (this.#skipBlankLineEnd()) continue;
      const src = this.#src;
      BLANKS.lastIndex = this.#pos;
      BLANKS.test(src);
      const blanksEnd = BLANKS.lastIndex;
      let indent = 0;
      let mixed = false;
      for (let i = this.#pos; i < blanksEnd; i++) {
        const c = src.charCodeAt(i);
        indent += c === TAB ? TAB_SIZE : 1;
        mixed ||= c !== first;
      }
      this.advanceTo(blanksEnd);
      if (this.atEnd()) {
        this.#dedentAll();
        return;
      }
      if (this.#skipBlankLineEnd()) continue;
      if (this.#peek() === HASH) {
        this.#skipComment();
        if (this.atEnd()) {
          this.#dedentAll();
          return;
        }
        this.#advance();
        this.#newline(false);
        continue;
      }
      if (mixed && !this.#lineContinuation && !this.#multiline) {
        this.pushError("Mixed use of tabs and spaces for indentation.", this.#lineStart);
      }
      if (this.#lineContinuation || this.#multiline) return;
      if (this.#indentChar === 0) {
        this.#indentChar = first;
      } else if (first !== this.#indentChar) {
        this.pushError(
          `Used ${indentCharName(first)} character for indentation instead of ${
            indentCharName(this.#indentChar)
          } as used before in the file.`,
          this.#lineStart,
        );
      }
      this.#applyIndent(indent);
      return;
    }
  }

  /** Consumes `\r?\n` of an empty line; true if it did. */
  #skipBlankLineEnd(): boolean {
    if (this.#peek() === CR) {
      this.#advance();
      if (this.#peek() !== LF) {
        this.pushError("Stray carriage return character in source code.", this.#pos - 1);
      }
    }
    if (this.#peek() !== LF) return false;
    this.#advance();
    this.#newline(false);
    return true;
  }

  #applyIndent(indent: number): void {
    const stack = this.#indentStack;
    const previous = stack.length > 0 ? stack[stack.length - 1]! : 0;
    if (indent === previous) return;
    if (indent > previous) {
      stack.push(indent);
      this.#pendingIndents++;
      return;
    }
    while (stack.length > 0 && stack[stack.length - 1]! > indent) {
      stack.pop();
      this.#pendingIndents--;
    }
    // Inside a lambda body written in brackets, the next line need not match an outer level.
    if (this.#indentStackStack.length > 0) return;
    if (
      (stack.length > 0 && stack[stack.length - 1] !== indent) ||
      (stack.length === 0 && indent !== 0)
    ) {
      this.pushError("Unindent doesn't match the previous indentation level.", this.#lineStart);
      // Godot is lenient here and keeps the level.
      stack.push(indent);
    }
  }

  #dedentAll(): void {
    this.#pendingIndents -= this.#indentStack.length;
    this.#indentStack = [];
  }

  #scanToken(c: number): Token {
    this.#advance();
    if (c >= 48 && c <= 57) return scanNumber(this);
    if (c === 114 /* r */ && (this.#peek() === 34 || this.#peek() === 39)) return scanString(this);
    if (c < 128 ? isAsciiIdentifierStart(c) : isIdentifierStart(this.#codePointBefore())) {
      return this.#identifier(c);
    }
    switch (c) {
      case 34: // "
      case 39: // '
        return scanString(this);
      case 64: // @
        return this.#annotation();
      case 126:
        return this.#make("~");
      case 44:
        return this.#make(",");
      case 58:
        return this.#make(":");
      case 59:
        return this.#make(";");
      case 36:
        return this.#make("$");
      case 63:
        return this.#make("?");
      case 96:
        return this.#make("`");
      case 40:
        this.#parens.push(40);
        return this.#make("(");
      case 91:
        this.#parens.push(91);
        return this.#make("[");
      case 123:
        this.#parens.push(123);
        return this.#make("{");
      case 41:
        return this.#closeParen(40, ")");
      case 93:
        return this.#closeParen(91, "]");
      case 125:
        return this.#closeParen(123, "}");
      case 33: // !
        return this.#take(61, "!=") ?? this.#make("!");
      case 46: // .
        if (this.#peek() === 46) {
          this.#advance();
          return this.#take(46, "...") ?? this.#make("..");
        }
        if (isDigit(this.#peek())) return scanNumber(this);
        return this.#make(".");
      case 43: // +
        if (this.#peek() === 61) return this.#take(61, "+=")!;
        if (isDigit(this.#peek()) && !this.#lastToken?.canPrecedeBinaryOperator()) {
          return scanNumber(this);
        }
        return this.#make("+");
      case 45: // -
        if (this.#peek() === 61) return this.#take(61, "-=")!;
        if (isDigit(this.#peek()) && !this.#lastToken?.canPrecedeBinaryOperator()) {
          return scanNumber(this);
        }
        return this.#take(62, "->") ?? this.#make("-");
      case 42: // *
        if (this.#peek() === 42) {
          this.#advance();
          return this.#take(61, "**=") ?? this.#make("**");
        }
        return this.#take(61, "*=") ?? this.#make("*");
      case 47:
        return this.#take(61, "/=") ?? this.#make("/");
      case 37:
        return this.#take(61, "%=") ?? this.#make("%");
      case 94: // ^
        if (this.#peek() === 34 || this.#peek() === 39) return scanString(this);
        return this.#take(61, "^=") ?? this.#make("^");
      case 38: // &
        if (this.#peek() === 34 || this.#peek() === 39) return scanString(this);
        return this.#take(38, "&&") ?? this.#take(61, "&=") ?? this.#make("&");
      case 124:
        return this.#take(124, "||") ?? this.#take(61, "|=") ?? this.#make("|");
      case 61: // =
        return this.#peek() === 61 ? this.#vcsMarker(61, "==") : this.#make("=");
      case 60: // <
        if (this.#peek() === 61) return this.#take(61, "<=")!;
        if (this.#peek() === 60) {
          if (this.#peek(1) === 61) {
            this.#advance();
            return this.#take(61, "<<=")!;
          }
          return this.#vcsMarker(60, "<<");
        }
        return this.#make("<");
      case 62: // >
        if (this.#peek() === 61) return this.#take(61, ">=")!;
        if (this.#peek() === 62) {
          if (this.#peek(1) === 61) {
            this.#advance();
            return this.#take(61, ">>=")!;
          }
          return this.#vcsMarker(62, ">>");
        }
        return this.#make(">");
      default:
        return this.#invalidCharacter(c);
    }
  }

  /** Consumes `next` and makes `type` if the next character is `next`. */
  #take(next: number, type: TokenType): Token | null {
    if (this.#peek() !== next) return null;
    this.#advance();
    return this.#make(type);
  }

  #closeParen(open: number, type: TokenType): Token {
    // As Godot: the top is popped even when it does not match, and the message names the next.
    if (this.#parens.pop() === open) return this.#make(type);
    const next = this.#parens.pop();
    if (next === undefined) {
      return this.#error(`Closing "${type}" doesn't have an opening counterpart.`);
    }
    return this.#error(
      `Closing "${type}" doesn't match the opening "${String.fromCharCode(next)}".`,
    );
  }

  /** `==`, `<<`, `>>`, or a version-control conflict marker (7 or more of the same character). */
  #vcsMarker(c: number, type: TokenType): Token {
    let count = 2;
    while (this.#peek(count - 1) === c) count++;
    if (count >= 7) {
      for (let i = 1; i < count; i++) this.#advance();
      return this.#make("vcs_conflict_marker");
    }
    this.#advance();
    return this.#make(type);
  }

  #invalidCharacter(c: number): Token {
    const cp = this.#codePointBefore();
    if (cp > 0xffff) this.#advance();
    const hex = cp.toString(16).toUpperCase().padStart(4, "0");
    if (isUnicodeWhitespace(cp)) return this.#error(`Invalid white space character U+${hex}.`);
    const shown = c < 32 || c === 127 ? "" : `"${String.fromCodePoint(cp)}" `;
    return this.#error(`Invalid character ${shown}(U+${hex}).`);
  }

  /** The code point whose first code unit was just consumed (without consuming its second half). */
  #codePointBefore(): number {
    return this.#src.codePointAt(this.#pos - 1) ?? 0;
  }

  #identifier(first: number): Token {
    let nonAscii = first >= 128;
    if (nonAscii && this.#codePointBefore() > 0xffff) this.#advance();
    const src = this.#src;
    for (;;) {
      // Runs of ASCII name characters are found natively: this is the lexer's hottest loop.
      ASCII_NAME.lastIndex = this.#pos;
      ASCII_NAME.test(src);
      this.advanceTo(ASCII_NAME.lastIndex);
      const c = this.#peek();
      if (c < 128) break;
      const cp = src.codePointAt(this.#pos)!;
      if (!isIdentifierContinue(cp)) break;
      nonAscii = true;
      this.#advance();
      if (cp > 0xffff) this.#advance();
    }
    const name = src.slice(this.#tokenStart, this.#pos);
    if (name === "_") return this.#make("_", "_");
    if (!nonAscii) {
      const keyword = KEYWORDS.get(name);
      if (keyword) return this.#make(keyword, name);
      if (name === "true") return this.#make("literal", true, "bool");
      if (name === "false") return this.#make("literal", false, "bool");
      if (name === "null") return this.#make("literal", null, "null");
    }
    if (nonAscii && name.length >= 2 && name.length <= 10) {
      const skeleton = latinSkeleton(name);
      const keyword = KEYWORDS.get(skeleton);
      if (keyword) {
        this.pushError(
          `Identifier "${name}" is visually similar to the GDScript keyword "${keyword}" and thus not allowed.`,
          this.#tokenStart,
        );
      }
    }
    return this.#make("identifier", name, null, nonAscii);
  }

  #annotation(): Token {
    const cp = this.atEnd() ? 0 : this.#src.codePointAt(this.#pos)!;
    if (cp < 128 ? isAsciiIdentifierStart(cp) : isIdentifierStart(cp)) {
      this.#advance();
      if (cp > 0xffff) this.#advance();
    } else {
      this.pushError('Expected annotation identifier after "@".');
    }
    for (;;) {
      const c = this.#peek();
      if (c < 128) {
        if (!isAsciiIdentifierContinue(c)) break;
        this.#advance();
        continue;
      }
      const point = this.#src.codePointAt(this.#pos)!;
      if (!isIdentifierContinue(point)) break;
      this.#advance();
      if (point > 0xffff) this.#advance();
    }
    return this.#make("annotation", this.#src.slice(this.#tokenStart + 1, this.#pos));
  }
}

function indentCharName(c: number): string {
  return c === SPACE ? "space" : "tab";
}

function isAsciiIdentifierStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}

function isAsciiIdentifierContinue(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || (c >= 48 && c <= 57);
}
