/**
 * Checks a literal format string of the `%` operator: a width or precision sizes the result, so
 * each must be a literal number no larger than the limit, never `*` (taken from the arguments).
 *
 * @module
 */

/** Why the format string is refused, or null. */
export function checkFormat(format: string, maxWidth: number): string | null {
  for (let i = format.indexOf("%"); i >= 0; i = format.indexOf("%", i + 1)) {
    let j = i + 1;
    if (format[j] === "%") {
      i = j;
      continue;
    }
    while (j < format.length && "-+ 0".includes(format[j]!)) j++;
    for (const part of ["width", "precision"]) {
      if (part === "precision") {
        if (format[j] !== ".") break;
        j++;
      }
      if (format[j] === "*") return `a format ${part} taken from the arguments (*)`;
      const start = j;
      while (j < format.length && format[j]! >= "0" && format[j]! <= "9") j++;
      const digits = format.slice(start, j);
      if (digits.length > 0 && Number(digits) > maxWidth) {
        return `a format ${part} of ${digits} (the most is ${maxWidth})`;
      }
    }
    i = j - 1;
  }
  return null;
}
