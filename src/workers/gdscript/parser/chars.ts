/**
 * Character classes of Godot's `core/string/char_utils.h` that GDScript's tokenizer uses.
 *
 * Identifier characters use the JavaScript engine's Unicode tables (`XID_Start`, `XID_Continue`),
 * which can differ from the Unicode version Godot was built with for a few recent code points.
 *
 * @module
 */

/** ASCII digit. */
export function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

const XID_START = /^\p{XID_Start}$/u;
const XID_CONTINUE = /^\p{XID_Continue}$/u;

/** Can start an identifier: `_` or a Unicode `XID_Start` code point. */
export function isIdentifierStart(codePoint: number): boolean {
  if (codePoint < 128) {
    return (codePoint >= 97 && codePoint <= 122) || (codePoint >= 65 && codePoint <= 90) ||
      codePoint === 95;
  }
  return XID_START.test(String.fromCodePoint(codePoint));
}

/** Can continue an identifier: a Unicode `XID_Continue` code point (digits and `_` included). */
export function isIdentifierContinue(codePoint: number): boolean {
  if (codePoint < 128) {
    return (codePoint >= 97 && codePoint <= 122) || (codePoint >= 65 && codePoint <= 90) ||
      codePoint === 95 || (codePoint >= 48 && codePoint <= 57);
  }
  return XID_CONTINUE.test(String.fromCodePoint(codePoint));
}

/** Godot's `is_whitespace`: the white space it names in "Invalid white space character". */
export function isUnicodeWhitespace(c: number): boolean {
  return c === 32 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
    c === 0x202f || c === 0x205f || c === 0x3000 || c === 0x2028 || c === 0x2029 ||
    (c >= 9 && c <= 13) || c === 0x85;
}

/** Invisible text-direction controls, refused inside strings (a "Trojan Source" defence). */
export function isBidiControl(c: number): boolean {
  return c === 0x200e || c === 0x200f || (c >= 0x202a && c <= 0x202e) ||
    (c >= 0x2066 && c <= 0x2069);
}

/**
 * Letters from other scripts that look like Latin ones (a small subset of Unicode's confusables
 * table: Cyrillic, Greek, Armenian and a few others), for the keyword look-alike check.
 */
const LATIN_LOOKALIKES: ReadonlyMap<string, string> = new Map(
  Object.entries({
    "а": "a",
    "А": "A",
    "в": "B",
    "В": "B",
    "е": "e",
    "Е": "E",
    "ё": "e",
    "к": "k",
    "К": "K",
    "м": "M",
    "М": "M",
    "н": "H",
    "Н": "H",
    "о": "o",
    "О": "O",
    "р": "p",
    "Р": "P",
    "с": "c",
    "С": "C",
    "т": "T",
    "Т": "T",
    "у": "y",
    "У": "Y",
    "х": "x",
    "Х": "X",
    "і": "i",
    "І": "I",
    "ї": "i",
    "ј": "j",
    "Ј": "J",
    "ѕ": "s",
    "Ѕ": "S",
    "ԁ": "d",
    "һ": "h",
    "Һ": "H",
    "ԛ": "q",
    "ԝ": "w",
    "Ԝ": "W",
    "ɑ": "a",
    "ɡ": "g",
    "ɩ": "i",
    "ℓ": "l",
    "ı": "i",
    "ո": "n",
    "ս": "u",
    "օ": "o",
    "ց": "g",
    "α": "a",
    "Α": "A",
    "β": "B",
    "Β": "B",
    "ε": "e",
    "Ε": "E",
    "Ζ": "Z",
    "Η": "H",
    "ι": "i",
    "Ι": "I",
    "κ": "k",
    "Κ": "K",
    "Μ": "M",
    "ν": "v",
    "Ν": "N",
    "ο": "o",
    "Ο": "O",
    "ρ": "p",
    "Ρ": "P",
    "τ": "t",
    "Τ": "T",
    "υ": "u",
    "Υ": "Y",
    "χ": "x",
    "Χ": "X",
    "ϲ": "c",
    "Ϲ": "C",
    "ϳ": "j",
    "ℯ": "e",
    "ℊ": "g",
    "ℎ": "h",
    "ǀ": "l",
  }),
);

/**
 * A rough "skeleton" of an identifier: compatibility-normalised (fullwidth and mathematical
 * letters become ASCII) with common look-alike letters mapped to Latin. Used only to compare
 * with keywords; identifiers themselves are never normalised.
 */
export function latinSkeleton(name: string): string {
  let out = "";
  for (const ch of name.normalize("NFKC")) out += LATIN_LOOKALIKES.get(ch) ?? ch;
  return out;
}
