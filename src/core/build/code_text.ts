/**
 * Spell code is text a person edits: tab, CR and LF are its only control characters. NUL, escape,
 * form feed, DEL and the C1 range (U+0080–U+009F) never belong in a GDScript file, so code holding
 * them is refused before it is queued (it cost nothing to store and everything to validate).
 */
// deno-lint-ignore no-control-regex
const FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/** The first control character that is not tab, CR or LF, with its 1-based line; or undefined. */
export function findControlCharacter(
  code: string,
): { codePoint: string; line: number } | undefined {
  const match = FORBIDDEN.exec(code);
  if (!match) return undefined;
  let line = 1;
  for (let i = code.indexOf("\n"); i !== -1 && i < match.index; i = code.indexOf("\n", i + 1)) {
    line++;
  }
  const hex = match[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0");
  return { codePoint: `U+${hex}`, line };
}
