/**
 * Number and string literals of the GDScript tokenizer, as Godot's `GDScriptTokenizerText::number`
 * and `::string` read them, with the same error messages.
 *
 * @module
 */

import { isBidiControl, isDigit, isIdentifierContinue, isIdentifierStart } from "./chars.ts";
import type { Lexer, LiteralType, Token } from "./lexer.ts";

const UNDERSCORE = 95, DOT = 46, PLUS = 43, MINUS = 45, ZERO = 48;
const LF = 10, CR = 13, BACKSLASH = 92;

function isHexDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

function isBinaryDigit(c: number): boolean {
  return c === 48 || c === 49;
}

/** Scans a number whose first character (a digit, `.`, or a folded-in `+`/`-`) was consumed. */
export function scanNumber(lx: Lexer): Token {
  let base = 10;
  let hasDecimal = false, hasExponent = false, hasError = false, needDigits = false;
  let isBaseDigit = isDigit;

  if ((lx.peek(-1) === PLUS || lx.peek(-1) === MINUS) && lx.peek() === ZERO) lx.advance();
  if (lx.peek(-1) === DOT) {
    hasDecimal = true;
  } else if (lx.peek(-1) === ZERO) {
    if (lx.peek() === 120 /* x */) {
      base = 16;
      isBaseDigit = isHexDigit;
      needDigits = true;
      lx.advance();
    } else if (lx.peek() === 98 /* b */) {
      base = 2;
      isBaseDigit = isBinaryDigit;
      needDigits = true;
      lx.advance();
    }
  }
  if (base !== 10 && lx.peek() === UNDERSCORE) {
    lx.pushError(`Unexpected underscore after "0${String.fromCharCode(lx.peek(-1))}".`);
    hasError = true;
  }
  needDigits = consumeDigits(lx, isBaseDigit) === 0 && needDigits;

  if (lx.peek() === DOT && lx.peek(1) !== DOT) {
    if (base === 10 && !hasDecimal) {
      hasDecimal = true;
    } else {
      lx.pushError(
        base === 10
          ? "Cannot use a decimal point twice in a number."
          : `Cannot use a decimal point in a ${base === 16 ? "hexadecimal" : "binary"} number.`,
      );
      hasError = true;
    }
    if (!hasError) {
      lx.advance();
      if (lx.peek() === UNDERSCORE) {
        lx.pushError("Unexpected underscore after decimal point.");
        hasError = true;
      }
      consumeDigits(lx, isDigit);
    }
  }
  if (base === 10 && (lx.peek() === 101 || lx.peek() === 69) /* e E */) {
    hasExponent = true;
    lx.advance();
    if (lx.peek() === PLUS || lx.peek() === MINUS) lx.advance();
    if (!isDigit(lx.peek())) lx.pushError('Expected exponent value after "e".');
    consumeDigits(lx, isDigit);
  }
  if (needDigits) {
    return lx.error(
      `Expected ${base === 16 ? "hexadecimal" : "binary"} digit after "0${
        base === 16 ? "x" : "b"
      }".`,
    );
  }
  const next = lx.atEnd() ? 0 : lx.source.codePointAt(lx.pos)!;
  if (!hasError && hasDecimal && next === DOT && lx.peek(1) !== DOT) {
    lx.pushError("Cannot use a decimal point twice in a number.");
  } else if (next !== 0 && (isIdentifierStart(next) || isIdentifierContinue(next))) {
    lx.pushError("Invalid numeric notation.");
  }

  const raw = lx.source.slice(lx.tokenStart, lx.pos);
  const text = raw.replaceAll("_", "");
  if (base !== 10) return lx.make("literal", integerOfBase(text, base), "int");
  if (hasDecimal || hasExponent) {
    const value = Number(text);
    return lx.make("literal", Number.isNaN(value) ? parseFloat(text) || 0 : value, "float");
  }
  return lx.make("literal", Number(text), "int");
}

/** Consumes digits and `_` separators (refusing `__`); returns how many digits it consumed. */
function consumeDigits(lx: Lexer, isBaseDigit: (c: number) => boolean): number {
  let digits = 0;
  let previousWasUnderscore = false;
  for (;;) {
    const c = lx.peek();
    if (c === UNDERSCORE) {
      if (previousWasUnderscore) {
        lx.pushError("Multiple underscores cannot be adjacent in a numeric literal.");
      }
      previousWasUnderscore = true;
    } else if (isBaseDigit(c)) {
      digits++;
      previousWasUnderscore = false;
    } else {
      return digits;
    }
    lx.advance();
  }
}

/** `[+-]0x…` or `[+-]0b…` as a number (beyond 2^53 it is approximate, as any JS number). */
function integerOfBase(text: string, base: number): number {
  const negative = text.charCodeAt(0) === MINUS;
  const digits = text.slice(text.indexOf(base === 16 ? "x" : "b") + 1);
  let value = 0;
  for (let i = 0; i < digits.length; i++) value = value * base + parseInt(digits[i]!, base);
  return negative ? -value : value;
}

const HEX_VALUE = (c: number): number => c <= 57 ? c - 48 : c <= 70 ? c - 55 : c - 87;

/**
 * Scans a string whose opening quote (and `r`, `&` or `^` prefix) was consumed: `"…"`, `'…'`,
 * triple-quoted, raw, StringName and NodePath forms, with Godot's escapes and checks.
 */
export function scanString(lx: Lexer): Token {
  let raw = false;
  let type: LiteralType = "string";
  const prefix = lx.peek(-1);
  if (prefix === 114 /* r */) {
    raw = true;
    lx.advance();
  } else if (prefix === 38 /* & */) {
    type = "string_name";
    lx.advance();
  } else if (prefix === 94 /* ^ */) {
    type = "node_path";
    lx.advance();
  }
  const quote = lx.peek(-1);
  let triple = false;
  if (lx.peek() === quote && lx.peek(1) === quote) {
    triple = true;
    lx.advance();
    lx.advance();
  }

  const src = lx.source;
  let value = "";
  let leadSurrogate = 0;
  let leadSurrogateAt = 0;
  const unpairedLead = () => {
    if (leadSurrogate === 0) return;
    lx.pushError("Invalid UTF-16 sequence in string, unpaired lead surrogate.", leadSurrogateAt);
    leadSurrogate = 0;
  };

  for (;;) {
    if (lx.atEnd()) return lx.error("Unterminated string.");
    // Copy a run of ordinary characters at once.
    let end = lx.pos;
    for (; end < src.length; end++) {
      const c = src.charCodeAt(end);
      if (c === quote || c === BACKSLASH || c === LF || (c >= 0x200e && isBidiControl(c))) break;
    }
    if (end > lx.pos) {
      unpairedLead();
      value += src.slice(lx.pos, end);
      lx.advanceTo(end);
      continue;
    }

    const c = lx.peek();
    if (isBidiControl(c)) {
      lx.pushError(
        raw
          ? "Invisible text direction control character present in the string, use regular string literal instead of r-string."
          : `Invisible text direction control character present in the string, escape it ("\\u${
            c.toString(16)
          }") to avoid confusion.`,
      );
      unpairedLead();
      value += String.fromCharCode(c);
      lx.advance();
    } else if (c === LF) {
      unpairedLead();
      value += "\n";
      lx.advance();
      lx.lineBreakInToken();
    } else if (c === quote) {
      unpairedLead();
      lx.advance();
      if (!triple) break;
      if (lx.peek() === quote && lx.peek(1) === quote) {
        lx.advance();
        lx.advance();
        break;
      }
      value += String.fromCharCode(quote);
    } else {
      // Backslash.
      const escapeAt = lx.pos;
      lx.advance();
      if (lx.atEnd()) return lx.error("Unterminated string.");
      if (raw) {
        const next = lx.peek();
        if (next === quote || next === BACKSLASH) {
          lx.advance();
          if (lx.atEnd()) return lx.error("Unterminated string.");
          value += "\\" + String.fromCharCode(next);
        } else {
          value += "\\";
        }
        continue;
      }
      const code = lx.peek();
      lx.advance();
      if (lx.atEnd()) return lx.error("Unterminated string.");
      const decoded = escape(lx, code, escapeAt);
      if (decoded === null) continue;
      if (decoded === LINE_CONTINUATION) {
        lx.lineBreakInToken();
        continue;
      }
      // UTF-16 surrogate pairs written as two \u escapes.
      if ((decoded & 0xfffffc00) === 0xd800) {
        if (leadSurrogate === 0) {
          leadSurrogate = decoded;
          leadSurrogateAt = escapeAt;
          continue;
        }
        lx.pushError("Invalid UTF-16 sequence in string, unpaired lead surrogate.", escapeAt);
        leadSurrogate = 0;
        continue;
      }
      let point = decoded;
      if ((decoded & 0xfffffc00) === 0xdc00) {
        if (leadSurrogate === 0) {
          lx.pushError("Invalid UTF-16 sequence in string, unpaired trail surrogate.", escapeAt);
          continue;
        }
        point = (leadSurrogate << 10) + decoded - ((0xd800 << 10) + 0xdc00 - 0x10000);
        leadSurrogate = 0;
      }
      unpairedLead();
      if (point > 0x10ffff) {
        lx.pushError(
          `Invalid unicode code point U+${point.toString(16).toUpperCase()} in escape sequence.`,
          escapeAt,
        );
        continue;
      }
      value += String.fromCodePoint(point);
    }
  }
  unpairedLead();
  return lx.make("literal", value, type, raw, triple);
}

const LINE_CONTINUATION = -1;

/**
 * Decodes the escape whose code character was just consumed: a code point, LINE_CONTINUATION for
 * an escaped line break, or null after reporting an invalid escape.
 */
function escape(lx: Lexer, code: number, escapeAt: number): number | null {
  switch (code) {
    case 97: // a
      return 7;
    case 98: // b
      return 8;
    case 102: // f
      return 12;
    case 110: // n
      return 10;
    case 114: // r
      return 13;
    case 116: // t
      return 9;
    case 118: // v
      return 11;
    case 39:
    case 34:
    case BACKSLASH:
      return code;
    case 117: // u
    case 85: { // U
      const length = code === 85 ? 6 : 4;
      let value = 0;
      for (let i = 0; i < length; i++) {
        if (lx.atEnd()) return null;
        const digit = lx.peek();
        if (!isHexDigit(digit)) {
          lx.pushError("Invalid hexadecimal digit in unicode escape sequence.");
          return null;
        }
        value = (value << 4) | HEX_VALUE(digit);
        lx.advance();
      }
      return value;
    }
    case CR:
      if (lx.peek() !== LF) return null;
      lx.advance();
      return LINE_CONTINUATION;
    case LF:
      return LINE_CONTINUATION;
    default:
      lx.pushError("Invalid escape in string.", escapeAt);
      return null;
  }
}
