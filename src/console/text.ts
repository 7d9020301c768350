/**
 * Characters that reorder or hide text: bidi embeddings, overrides and isolates, marks, and the
 * zero-width ones. "Trojan Source" code uses them to show a reviewer something other than what
 * runs; names use them to spoof.
 */
const INVISIBLE = "[\\u061c\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2069\\ufeff]";

const NAMES: Record<string, string> = {
  "\u061c": "ALM",
  "\u200b": "ZWSP",
  "\u200c": "ZWNJ",
  "\u200d": "ZWJ",
  "\u200e": "LRM",
  "\u200f": "RLM",
  "\u202a": "LRE",
  "\u202b": "RLE",
  "\u202c": "PDF",
  "\u202d": "LRO",
  "\u202e": "RLO",
  "\u2060": "WJ",
  "\u2066": "LRI",
  "\u2067": "RLI",
  "\u2068": "FSI",
  "\u2069": "PDI",
  "\ufeff": "BOM",
};

/** One hidden character: its short name and code point (hex). */
export interface Hidden {
  name: string;
  code: string;
}

/** True if `text` holds a character that reorders or hides text. */
export function hasInvisible(text: string): boolean {
  return new RegExp(INVISIBLE).test(text);
}

/** `text` cut at each hidden character, which becomes a `Hidden` part; the rest stays strings. */
export function splitInvisible(text: string): (string | Hidden)[] {
  const parts: (string | Hidden)[] = [];
  let last = 0;
  for (const match of text.matchAll(new RegExp(INVISIBLE, "g"))) {
    const index = match.index;
    if (index > last) parts.push(text.slice(last, index));
    const char = match[0];
    const code = char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0");
    parts.push({ name: NAMES[char] ?? code, code });
    last = index + char.length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}
