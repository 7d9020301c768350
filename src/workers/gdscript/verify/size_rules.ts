/**
 * How large the result of each sized API call can be, and how much each in-place method adds to
 * its receiver, as size polynomials (sizes.ts) of the receiver and arguments.
 *
 * @module
 */

import {
  add,
  constant,
  multiply,
  SCALAR,
  scale,
  SEPARATOR,
  type Size,
  sumSizes,
  text,
  textOf,
} from "./sizes.ts";

/** What the rules need to know about a call besides the sizes. */
export interface CallFacts {
  /** The upper bound of argument `i` as a number (for counts such as `repeat`). */
  readonly argHi: (i: number) => number;
  /** The least value argument `i` may have (-Infinity when unknown). */
  readonly argLo: (i: number) => number;
  /** Whether argument `i` is a String (it prints as itself). */
  readonly isString: (i: number) => boolean;
  /** The size of what the callable returns (`map`). */
  readonly callback: Size;
}

/**
 * The characters of values printed one after the other (a string as itself, anything else as its
 * weight), each padded to at most `width`.
 */
export function printed(
  args: readonly Size[],
  isString: (i: number) => boolean,
  width = 0,
): Size {
  let n = constant(0);
  args.forEach((arg, i) => {
    n = add(add(n, isString(i) ? arg.n : arg.w), constant(width));
  });
  return textOf(n);
}

/** The size of a call's result, or null when the rules do not size it (not a sized value). */
export function resultSize(
  owner: string | null,
  name: string,
  recv: Size | null,
  args: readonly Size[],
  facts: CallFacts,
): Size | null {
  const r = recv ?? SCALAR;
  const [a, b] = args;
  const count = (i: number) => Math.max(1, facts.argHi(i));
  if (owner === null) {
    switch (name) {
      case "str":
        return printed(args, facts.isString);
      default:
        return null;
    }
  }
  if (owner === "String") {
    switch (name) {
      case "left":
      case "right": {
        // left(n)/right(n) with 0 ≤ n keep at most n characters (a negative n drops some).
        const hi = facts.argHi(0);
        return facts.argLo(0) >= 0 && Number.isFinite(hi) ? textOf(constant(hi)) : r;
      }
      case "substr":
      case "to_upper":
      case "to_lower":
      case "strip_edges":
        return r;
      case "capitalize":
        return textOf(scale(r.n, 2));
      case "split":
        // Each piece is a string: its quotes and separator on top of its characters.
        return { n: add(r.n, constant(1)), w: add(scale(r.n, 5), constant(6)) };
      case "replace":
        return textOf(multiply(r.n, add(constant(1), b?.n ?? [])));
      case "join":
        return textOf(add(multiply(r.n, a?.n ?? []), a?.w ?? []));
      case "repeat":
        return textOf(scale(r.n, count(0)));
      case "pad_zeros":
      case "pad_decimals":
        return textOf(add(r.n, constant(count(0))));
      case "lpad":
      case "rpad":
        return textOf(add(r.n, multiply(constant(count(0)), add(constant(1), b?.n ?? []))));
      case "format":
        // Every character could start a placeholder that prints all the values.
        return textOf(multiply(r.n, add(constant(1), a?.w ?? [])));
      case "num":
        return text(64);
      case "chr":
        return text(1);
      case "to_html":
        return text(8);
      default:
        return null;
    }
  }
  if (owner === "Array" || owner === "PackedStringArray" || owner === "Dictionary") {
    switch (name) {
      case "duplicate":
      case "slice":
      case "filter":
      case "keys":
      case "values":
        return r;
      case "map":
        return { n: r.n, w: multiply(r.n, add(facts.callback.w, constant(SEPARATOR))) };
      case "reduce":
        return sumSizes(facts.callback, a && args.length > 1 ? args[1]! : SCALAR);
      default:
        return null;
    }
  }
  return null;
}

/** What an in-place method adds to its receiver each time it runs (null: nothing). */
export function addedSize(
  name: string,
  recv: Size,
  args: readonly Size[],
  facts: CallFacts,
): Size | null {
  const [a, b] = args;
  switch (name) {
    case "append":
    case "push_back":
    case "push_front":
      return { n: constant(1), w: add(a?.w ?? SCALAR.w, constant(SEPARATOR)) };
    case "insert":
      return { n: constant(1), w: add(b?.w ?? SCALAR.w, constant(SEPARATOR)) };
    case "append_array":
    case "merge":
      return a ?? null;
    case "resize": {
      // Pads with nulls ("<null>, ").
      const k = Math.max(0, facts.argHi(0));
      return { n: constant(k), w: constant(k * (6 + SEPARATOR)) };
    }
    case "fill":
      // Every element becomes the value: as many copies as elements.
      return { n: [], w: multiply(recv.n, add(a?.w ?? SCALAR.w, constant(SEPARATOR))) };
    default:
      return null;
  }
}
