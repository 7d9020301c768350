/**
 * GDScript 4 tokenizer that groups tokens into logical lines.
 *
 * A logical line ends at a newline outside brackets and not after a trailing backslash, so
 * multi-line calls, dictionaries and lambdas inside call arguments stay on the line that
 * opened them. Comments produce no tokens and strings are single tokens, so nothing inside
 * either can be mistaken for code.
 *
 * @module
 */

/** Token categories the validator distinguishes. */
export type TokenKind = "ident" | "number" | "string" | "annotation" | "nodepath" | "op";

/** One token; `text` is the source text (an annotation's name without `@`). */
export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  /** 1-based line where the token starts. */
  readonly line: number;
}

/** Tokens of one logical line with the leading whitespace of its first physical line. */
export interface LogicalLine {
  readonly line: number;
  readonly indent: string;
  readonly tokens: Token[];
}

/** Failure shape shared by the parsing stages. */
export interface ParseFailure {
  readonly ok: false;
  readonly line: number;
  readonly message: string;
}

/** Result of {@linkcode tokenize}. */
export type LexResult = { readonly ok: true; readonly lines: LogicalLine[] } | ParseFailure;

/** Splits GDScript source into logical lines of tokens, or reports the first lexical error. */
export function tokenize(source: string): LexResult {
  try {
    return { ok: true, lines: new Lexer(source).run() };
  } catch (err) {
    if (err instanceof LexError) return { ok: false, line: err.line, message: err.message };
    throw err;
  }
}

class LexError extends Error {
  constructor(readonly line: number, message: string) {
    super(message);
  }
}

const LF = 10, CR = 13, TAB = 9, SPACE = 32, FF = 12, HASH = 35, BACKSLASH = 92;
const DQUOTE = 34, SQUOTE = 39;
const OPENERS: Record<string, string> = { "(": ")", "[": "]", "{": "}" };
const CLOSERS = new Set([")", "]", "}"]);
/** Keywords after which `%` starts a unique-node path rather than meaning modulo. */
// deno-fmt-ignore
const NON_OPERAND_WORDS = new Set([
  "and", "or", "not", "in", "is", "as", "if", "elif", "else", "for", "while", "match", "when",
  "return", "await", "var", "const", "yield", "assert",
]);

/* One sticky regex finds the extent of every common lexeme natively. This keeps a cold (not yet
   JIT-compiled) call fast, which matters because each build validates in a fresh worker. */
const LEXEME = new RegExp(
  [
    /[ \t\r\f]+/, // blanks
    /#[^\n]*/, // comment
    /[A-Za-z_][A-Za-z0-9_]*/, // ASCII identifier
    /[0-9][0-9A-Za-z_]*(?:\.[0-9][0-9_]*(?:[eE][+-]?[0-9_]+)?)?/, // number
    /[^]/, // anything else, handled one character at a time
  ].map((re) => re.source).join("|"),
  "y",
);
const IDENT_TAIL = /[A-Za-z0-9_]*/y;
const DQ_PLAIN = /[^"\\\n]+/y;
const SQ_PLAIN = /[^'\\\n]+/y;
const ONE_CHAR = /[^]/y;

/** Position after the run `sticky` matches at `pos`, or `pos` when it does not match. */
function skip(sticky: RegExp, src: string, pos: number): number {
  sticky.lastIndex = pos;
  return sticky.test(src) ? sticky.lastIndex : pos;
}

const NON_ASCII_IDENT_START = /[\p{L}\p{Nl}_]/u;
const NON_ASCII_IDENT_PART = /[\p{L}\p{Nl}\p{N}\p{Mn}\p{Mc}\p{Pc}]/u;

function isAsciiIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isQuote(c: number): boolean {
  return c === DQUOTE || c === SQUOTE;
}

class Lexer {
  private pos = 0;
  private line = 1;
  private readonly lines: LogicalLine[] = [];
  private current: Token[] | null = null;
  private currentLine = 1;
  private indent = "";
  private continued = false;
  private readonly brackets: { ch: string; line: number }[] = [];

  constructor(private readonly src: string) {}

  run(): LogicalLine[] {
    if (this.src.charCodeAt(0) === 0xfeff) this.pos = 1; // byte-order mark left by some editors
    this.readIndent();
    const src = this.src;
    while (this.pos < src.length) {
      const start = this.pos;
      LEXEME.lastIndex = start;
      LEXEME.test(src);
      const end = LEXEME.lastIndex;
      const c = src.charCodeAt(start);
      if (c === LF) this.newline();
      else if (c === SPACE || c === TAB || c === CR || c === FF || c === HASH) this.pos = end;
      else if (isDigit(c)) this.token("number", start, end);
      else if (!isAsciiIdentStart(c) || !this.plainIdent(c, end)) this.scanToken(c);
      else this.token("ident", start, end);
    }
    const open = this.brackets[0];
    if (open) throw new LexError(open.line, `unclosed '${open.ch}'`);
    this.endLine();
    return this.lines;
  }

  private newline(): void {
    this.pos++;
    this.line++;
    if (this.brackets.length === 0 && !this.continued) {
      this.endLine();
      this.readIndent();
    }
    this.continued = false;
  }

  /** Indentation only matters at the start of a logical line, so it is read only there. */
  private readIndent(): void {
    const start = this.pos;
    let c = this.src.charCodeAt(this.pos);
    while (c === SPACE || c === TAB) c = this.src.charCodeAt(++this.pos);
    this.indent = this.src.slice(start, this.pos);
  }

  private endLine(): void {
    if (this.current) {
      this.lines.push({ line: this.currentLine, indent: this.indent, tokens: this.current });
    }
    this.current = null;
  }

  private continuation(): void {
    const next = this.src.charCodeAt(this.pos + 1);
    if (next === LF) this.pos += 1;
    else if (next === CR && this.src.charCodeAt(this.pos + 2) === LF) this.pos += 2;
    else if (this.pos + 1 < this.src.length) {
      throw new LexError(this.line, "expected a line break after '\\'");
    } else this.pos += 1;
    this.continued = true;
  }

  /** False when the identifier is really a raw-string prefix or continues with non-ASCII. */
  private plainIdent(c: number, end: number): boolean {
    const next = this.src.charCodeAt(end);
    if (next > 127) return false;
    return !(c === 114 /* r */ && end === this.pos + 1 && isQuote(next));
  }

  private token(kind: TokenKind, start: number, end: number): void {
    this.pos = end;
    this.push(kind, this.src.slice(start, end));
  }

  private push(kind: TokenKind, text: string, line = this.line): void {
    if (!this.current) {
      this.current = [];
      this.currentLine = line;
    }
    this.current.push({ kind, text, line });
  }

  private scanToken(c: number): void {
    const src = this.src;
    const next = src.charCodeAt(this.pos + 1);
    if (c === 114 /* r */ && isQuote(next)) return this.scanString(this.pos++, "string");
    if (isAsciiIdentStart(c) || (c > 127 && this.isIdentStartAt(this.pos))) {
      return this.push("ident", this.readIdent());
    }
    if (isQuote(c)) return this.scanString(this.pos, "string");
    const ch = src[this.pos] as string;
    if ((ch === "&" || ch === "^") && isQuote(next)) return this.scanString(this.pos++, "string");
    if (ch === "$" || (ch === "%" && !this.prevIsOperand() && this.startsPath(this.pos + 1))) {
      return this.scanNodePath();
    }
    if (ch === "@" && this.isIdentStartAt(this.pos + 1)) {
      this.pos++;
      return this.push("annotation", this.readIdent());
    }
    if (ch in OPENERS) this.brackets.push({ ch, line: this.line });
    else if (CLOSERS.has(ch)) this.closeBracket(ch);
    else if (ch === "\\") return this.continuation();
    const pair = (ch === "-" && next === 62 /* > */) || (ch === ":" && next === 61); /* = */
    const text = src.slice(this.pos, this.pos + (pair ? 2 : this.charWidthAt(this.pos)));
    this.pos += text.length;
    this.push("op", text);
  }

  private closeBracket(ch: string): void {
    const open = this.brackets.pop();
    if (!open) throw new LexError(this.line, `unexpected '${ch}'`);
    if (OPENERS[open.ch] !== ch) throw new LexError(open.line, `unclosed '${open.ch}'`);
  }

  private isIdentStartAt(pos: number): boolean {
    const c = this.src.charCodeAt(pos);
    if (c <= 127) return isAsciiIdentStart(c);
    return NON_ASCII_IDENT_START.test(String.fromCodePoint(this.src.codePointAt(pos) ?? c));
  }

  private isIdentPartAt(pos: number): boolean {
    const c = this.src.charCodeAt(pos);
    if (c <= 127) return isAsciiIdentStart(c) || isDigit(c);
    return NON_ASCII_IDENT_PART.test(String.fromCodePoint(this.src.codePointAt(pos) ?? c));
  }

  private readIdent(): string {
    const src = this.src;
    const start = this.pos;
    for (;;) {
      this.pos = skip(IDENT_TAIL, src, this.pos);
      const c = src.charCodeAt(this.pos);
      if (c > 127 && this.isIdentPartAt(this.pos)) this.pos += this.charWidthAt(this.pos);
      else return src.slice(start, this.pos);
    }
  }

  private charWidthAt(pos: number): number {
    return (this.src.codePointAt(pos) ?? 0) > 0xffff ? 2 : 1;
  }

  private scanString(start: number, kind: TokenKind): void {
    const src = this.src;
    const startLine = this.line;
    const q = src.charCodeAt(this.pos);
    const triple = src.charCodeAt(this.pos + 1) === q && src.charCodeAt(this.pos + 2) === q;
    this.pos += triple ? 3 : 1;
    for (;;) {
      if (this.pos >= src.length) throw new LexError(startLine, "unterminated string");
      const c = src.charCodeAt(this.pos);
      if (c === BACKSLASH) {
        this.skipEscape();
      } else if (c === LF) {
        if (!triple) throw new LexError(startLine, "unterminated string");
        this.line++;
        this.pos++;
      } else if (c === q && (!triple || this.closesTriple(q))) {
        this.pos += triple ? 3 : 1;
        return this.push(kind, src.slice(start, this.pos), startLine);
      } else {
        this.pos = skip(c === q ? ONE_CHAR : q === DQUOTE ? DQ_PLAIN : SQ_PLAIN, src, this.pos);
      }
    }
  }

  private closesTriple(q: number): boolean {
    return this.src.charCodeAt(this.pos + 1) === q && this.src.charCodeAt(this.pos + 2) === q;
  }

  /** Raw strings also keep `\"` from closing them, so one rule serves every string kind. */
  private skipEscape(): void {
    const next = this.src.charCodeAt(this.pos + 1);
    const crlf = next === CR && this.src.charCodeAt(this.pos + 2) === LF;
    if (next === LF || crlf) this.line++;
    this.pos += crlf ? 3 : 2;
  }

  /** `$Path/To/Node`, `$"quoted"`, `%Unique` and `%"Unique"`. */
  private scanNodePath(): void {
    const start = this.pos++;
    if (isQuote(this.src.charCodeAt(this.pos))) return this.scanString(start, "nodepath");
    while (this.pos < this.src.length) {
      const ch = this.src[this.pos];
      if (ch === "/" || ch === "%") this.pos++;
      else if (this.isIdentPartAt(this.pos)) this.readIdent();
      else break;
    }
    this.push("nodepath", this.src.slice(start, this.pos));
  }

  private startsPath(pos: number): boolean {
    return isQuote(this.src.charCodeAt(pos)) || this.isIdentStartAt(pos);
  }

  private prevIsOperand(): boolean {
    const prev = this.current?.[this.current.length - 1];
    if (!prev) return false;
    if (prev.kind === "ident") return !NON_OPERAND_WORDS.has(prev.text);
    if (prev.kind === "op") return CLOSERS.has(prev.text);
    return prev.kind !== "annotation";
  }
}
