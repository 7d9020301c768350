/**
 * Range folding of numeric expressions: the values a loop bound, an allocation size or a divisor
 * can take. Integers are folded exactly, with Godot's 64-bit semantics: every int is in
 * [INT64_MIN, INT64_MAX], and an operation that might leave that range wraps on the client, so its
 * result could be anything. Floats are folded approximately, rounded outward. Constants fold to
 * themselves; `mini`, `clampi`, `min` and `clamp` cap what they are given, so `range(mini(n, 8))`
 * is bounded by 8 whatever `n` is. Anything else is unbounded.
 *
 * @module
 */

import type { Expression } from "../parser/ast.ts";

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

/** An exact range of 64-bit ints, or an outward range of floats. */
export type Range =
  | { readonly int: true; readonly lo: bigint; readonly hi: bigint }
  | { readonly int: false; readonly lo: number; readonly hi: number };

/** A closed interval of numbers (either end may be infinite), for limits and trip counts. */
export interface Interval {
  readonly lo: number;
  readonly hi: number;
}

export const ANY_INT: Range = { int: true, lo: INT64_MIN, hi: INT64_MAX };
const ANY_FLOAT: Range = { int: false, lo: -Infinity, hi: Infinity };

/**
 * What a name or member is, for folding: a constant expression, a known int or float, a range,
 * or nothing.
 */
export type ConstLookup = (
  expr: Expression,
) => Expression | number | bigint | Interval | Range | undefined;

/** The fixed size of a value (`size()`, `length()`), when it cannot change: a const array. */
export type SizeLookup = (base: Expression) => bigint | undefined;

/** The int value of an integer literal's text, or null if it is not one or exceeds 64 bits. */
export function intLiteral(raw: string): bigint | null {
  const match = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[bB][01_]+|[0-9][0-9_]*)$/.exec(raw);
  if (!match) return null;
  const digits = match[2]!.replaceAll("_", "");
  let value: bigint;
  try {
    value = BigInt(digits);
  } catch {
    return null;
  }
  // Godot reads the digits without the sign: 9223372036854775808 does not fit even when negated.
  if (value > INT64_MAX) return null;
  return match[1] === "-" ? -value : value;
}

/** The numbers an expression can take (ints converted, possibly rounded outward). */
export function intervalOf(expr: Expression, lookup: ConstLookup, sizes?: SizeLookup): Interval {
  return toInterval(rangeOf(expr, lookup, sizes));
}

export function toInterval(range: Range): Interval {
  if (!range.int) return { lo: range.lo, hi: range.hi };
  return {
    lo: range.lo === INT64_MIN ? -Infinity : Number(range.lo),
    hi: range.hi === INT64_MAX ? Infinity : Number(range.hi),
  };
}

/** The values `expr` can take. `depth` stops runaway chains of constants. */
export function rangeOf(
  expr: Expression,
  lookup: ConstLookup,
  sizes?: SizeLookup,
  depth = 0,
): Range {
  if (depth > 32) return ANY_INT;
  const of = (e: Expression) => rangeOf(e, lookup, sizes, depth + 1);
  switch (expr.kind) {
    case "number": {
      if (!expr.isInt) return floats(expr.value, expr.value);
      const value = intLiteral(expr.raw);
      return value === null ? ANY_INT : ints(value, value);
    }
    case "bool":
      return ints(expr.value ? 1n : 0n, expr.value ? 1n : 0n);
    case "identifier":
    case "attribute": {
      const found = lookup(expr);
      if (found === undefined) return expr.kind === "attribute" ? memberRange(expr) : ANY_INT;
      return fromLookup(found, of);
    }
    case "unary": {
      const v = of(expr.operand);
      switch (expr.op) {
        case "-":
          return v.int ? checked(-v.hi, -v.lo) : floats(-v.hi, -v.lo);
        case "+":
          return v;
        case "~":
          return v.int ? ints(-v.hi - 1n, -v.lo - 1n) : ANY_INT;
        default:
          return ints(0n, 1n);
      }
    }
    case "binary":
      return binary(expr.op, of(expr.left), of(expr.right));
    case "ternary":
      return union(of(expr.whenTrue), of(expr.whenFalse));
    case "cast": {
      const v = of(expr.operand);
      const type = expr.type.chain.length === 1 ? expr.type.chain[0]!.name : "";
      if (type === "int") return toInt(v, "trunc");
      if (type === "float") return toFloat(v);
      return v;
    }
    case "call":
      return call(expr.callee, expr.args, of, sizes);
    default:
      return ANY_INT;
  }
}

function fromLookup(
  found: Expression | number | bigint | Interval | Range,
  of: (e: Expression) => Range,
): Range {
  if (typeof found === "bigint") return ints(found, found);
  if (typeof found === "number") {
    return Number.isInteger(found) && Math.abs(found) <= Number.MAX_SAFE_INTEGER
      ? ints(BigInt(found), BigInt(found))
      : floats(found, found);
  }
  if ("int" in found) return found;
  if ("lo" in found) return floats(found.lo, found.hi);
  return of(found);
}

/** Ranges known from a member read: sizes and lengths are never negative. */
function memberRange(_expr: Expression): Range {
  return ANY_INT;
}

function ints(lo: bigint, hi: bigint): Range {
  return { int: true, lo, hi };
}

/** An int range that might have left 64 bits wraps on the client: anything. */
function checked(lo: bigint, hi: bigint): Range {
  return lo < INT64_MIN || hi > INT64_MAX ? ANY_INT : ints(lo, hi);
}

function floats(lo: number, hi: number): Range {
  if (Number.isNaN(lo) || Number.isNaN(hi)) return ANY_FLOAT;
  return { int: false, lo, hi };
}

function toFloat(v: Range): Range {
  if (!v.int) return v;
  const { lo, hi } = toInterval(v);
  return floats(lo, hi);
}

/** A float range converted to int as Godot does: rounded, NaN to 0, saturated to 64 bits. */
function toInt(v: Range, rounding: "trunc" | "floor" | "ceil" | "round"): Range {
  if (v.int) return v;
  const round = rounding === "trunc"
    ? Math.trunc
    : rounding === "floor"
    ? Math.floor
    : rounding === "ceil"
    ? Math.ceil
    : Math.round;
  const end = (x: number): bigint => {
    if (x === -Infinity || x <= -9.223372036854776e18) return INT64_MIN;
    if (x === Infinity || x >= 9.223372036854776e18) return INT64_MAX;
    return BigInt(round(x));
  };
  return ints(end(v.lo), end(v.hi));
}

function union(a: Range, b: Range): Range {
  if (a.int && b.int) return ints(a.lo < b.lo ? a.lo : b.lo, a.hi > b.hi ? a.hi : b.hi);
  const x = toFloat(a);
  const y = toFloat(b);
  return floats(Math.min(x.lo as number, y.lo as number), Math.max(x.hi as number, y.hi as number));
}

function single(v: Range): bigint | null {
  return v.int && v.lo === v.hi ? v.lo : null;
}

function binary(op: string, a: Range, b: Range): Range {
  switch (op) {
    case "==":
    case "!=":
    case "<":
    case "<=":
    case ">":
    case ">=":
    case "and":
    case "or":
    case "in":
    case "not in":
      return ints(0n, 1n);
  }
  if (!a.int || !b.int) return floatBinary(op, toFloat(a), toFloat(b));
  switch (op) {
    case "+":
      return checked(a.lo + b.lo, a.hi + b.hi);
    case "-":
      return checked(a.lo - b.hi, a.hi - b.lo);
    case "*": {
      const p = [a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi];
      return checked(p.reduce((m, x) => (x < m ? x : m)), p.reduce((m, x) => (x > m ? x : m)));
    }
    case "/": {
      const d = single(b);
      if (d === null || d === 0n) return ANY_INT;
      // Division truncates toward zero; INT64_MIN / -1 overflows (and traps).
      const x = a.lo / d;
      const y = a.hi / d;
      return checked(x < y ? x : y, x > y ? x : y);
    }
    case "%": {
      const d = single(b);
      if (d === null || d === 0n) return ANY_INT;
      const m = (d < 0n ? -d : d) - 1n;
      if (a.lo >= 0n) return ints(0n, a.hi < m ? a.hi : m);
      if (a.hi <= 0n) return ints(-m > a.lo ? -m : a.lo, 0n);
      return ints(-m, m);
    }
    case "<<": {
      const s = single(b);
      if (s === null || s < 0n || s > 62n) return ANY_INT;
      return checked(a.lo * 2n ** s, a.hi * 2n ** s);
    }
    case ">>": {
      const s = single(b);
      if (s === null || s < 0n || s > 63n) return ANY_INT;
      return ints(a.lo >> s, a.hi >> s);
    }
    case "&":
      if (a.lo >= 0n && b.lo >= 0n) return ints(0n, a.hi < b.hi ? a.hi : b.hi);
      return ANY_INT;
    case "|":
    case "^":
      if (a.lo >= 0n && b.lo >= 0n) {
        const top = a.hi > b.hi ? a.hi : b.hi;
        return ints(0n, 2n ** BigInt(top.toString(2).length) - 1n);
      }
      return ANY_INT;
    case "**":
      return ANY_INT;
    default:
      return ANY_INT;
  }
}

function floatBinary(op: string, a: Range, b: Range): Range {
  const [alo, ahi, blo, bhi] = [a.lo, a.hi, b.lo, b.hi] as number[];
  switch (op) {
    case "+":
      return floats(alo! + blo!, ahi! + bhi!);
    case "-":
      return floats(alo! - bhi!, ahi! - blo!);
    case "*": {
      const p = [alo! * blo!, alo! * bhi!, ahi! * blo!, ahi! * bhi!].map((v) =>
        Number.isNaN(v) ? Infinity : v
      );
      return floats(Math.min(...p), Math.max(...p));
    }
    case "/":
      if (blo === bhi && blo! > 0) return floats(alo! / blo!, ahi! / blo!);
      return ANY_FLOAT;
    default:
      return ANY_FLOAT;
  }
}

function call(
  callee: Expression,
  args: readonly Expression[],
  of: (e: Expression) => Range,
  sizes?: SizeLookup,
): Range {
  if (callee.kind === "attribute") {
    // Sizes, lengths and counts are never negative; `find` gives -1 when absent.
    switch (callee.member.name) {
      case "size":
      case "length": {
        const fixed = args.length === 0 ? sizes?.(callee.base) : undefined;
        return fixed === undefined ? ints(0n, INT64_MAX) : ints(fixed, fixed);
      }
      case "count":
        return ints(0n, INT64_MAX);
      case "find":
      case "rfind":
        return ints(-1n, INT64_MAX);
      case "randi_range":
      case "randf_range": {
        // ctx.randi_range(a, b), rng.randi_range(a, b): between a and b (swapped if b < a).
        const [a, b] = args.map(of);
        if (!a || !b || args.length !== 2) return ANY_INT;
        // Godot draws 32-bit ints: beyond that the result is not within the bounds.
        const i32 = (r: Range) => !r.int || (r.lo >= -(2n ** 31n) && r.hi < 2n ** 31n);
        return i32(a) && i32(b) ? union(a, b) : ANY_INT;
      }
      default:
        return ANY_INT;
    }
  }
  if (callee.kind !== "identifier") return ANY_INT;
  const vals = args.map(of);
  const [a, b, c] = vals;
  switch (callee.name) {
    case "int":
      return a && args.length === 1 ? toInt(a, "trunc") : ANY_INT;
    case "float":
      return a && args.length === 1 ? toFloat(a) : ANY_FLOAT;
    case "len":
      return ints(0n, INT64_MAX);
    case "mini":
    case "minf":
    case "min":
      return a && b ? lower(a, b) : ANY_INT;
    case "maxi":
    case "maxf":
    case "max":
      return a && b ? upper(a, b) : ANY_INT;
    case "clampi":
    case "clampf":
    case "clamp":
      // clamp(v, lo, hi) returns lo when v < lo even if lo > hi: bounded by both ends.
      return b && c ? union(b, c) : ANY_INT;
    case "absi":
    case "absf":
    case "abs":
      if (!a) return ANY_INT;
      if (a.int) {
        // absi(INT64_MIN) is INT64_MIN again.
        if (a.lo === INT64_MIN) return ANY_INT;
        const m = -a.lo > a.hi ? -a.lo : a.hi;
        return ints(a.lo >= 0n ? a.lo : 0n, m);
      }
      return floats(0, Math.max(Math.abs(a.lo), Math.abs(a.hi)));
    case "signi":
    case "sign":
      return ints(-1n, 1n);
    case "floori":
      return a ? toInt(a, "floor") : ANY_INT;
    case "ceili":
      return a ? toInt(a, "ceil") : ANY_INT;
    case "roundi":
      return a ? toInt(a, "round") : ANY_INT;
    case "floor":
    case "ceil":
    case "round":
      return a ? (a.int ? a : toFloat(toInt(a, callee.name))) : ANY_INT;
    default:
      return ANY_INT;
  }
}

function lower(a: Range, b: Range): Range {
  if (a.int && b.int) return ints(a.lo < b.lo ? a.lo : b.lo, a.hi < b.hi ? a.hi : b.hi);
  const x = toFloat(a);
  const y = toFloat(b);
  return floats(Math.min(x.lo as number, y.lo as number), Math.min(x.hi as number, y.hi as number));
}

function upper(a: Range, b: Range): Range {
  if (a.int && b.int) return ints(a.lo > b.lo ? a.lo : b.lo, a.hi > b.hi ? a.hi : b.hi);
  const x = toFloat(a);
  const y = toFloat(b);
  return floats(Math.max(x.lo as number, y.lo as number), Math.max(x.hi as number, y.hi as number));
}

/** How many times `range(args…)` runs at most, or Infinity when it cannot be bounded. */
export function rangeTrips(args: readonly Range[]): number {
  const [first, second, third] = args.map((r) => toInt(r, "trunc")) as [
    Range & { int: true },
    (Range & { int: true }) | undefined,
    (Range & { int: true }) | undefined,
  ];
  if (!second) return first.hi === INT64_MAX ? Infinity : Math.max(0, Number(first.hi));
  const step = third ? single(third) : 1n;
  if (step === null || step === 0n) return Infinity;
  const span = step > 0n ? second.hi - first.lo : first.hi - second.lo;
  if (span <= 0n) return 0;
  const abs = step > 0n ? step : -step;
  const trips = (span + abs - 1n) / abs;
  return trips > 2n ** 52n ? Infinity : Number(trips);
}

/**
 * Whether `range(from, to, step)` may step past the largest (or smallest) int: Godot adds the step
 * to the loop variable before comparing it with `to`, so the value wraps around and the loop runs
 * (almost) for ever (confirmed on the 4.6 web template).
 */
export function rangeOverflows(args: readonly Range[]): boolean {
  if (args.length < 3) return false;
  const [, second, third] = args.map((r) => toInt(r, "trunc")) as (Range & { int: true })[];
  const step = third ? single(third) : null;
  if (!second || step === null || step === 0n) return false;
  return step > 0n ? second.hi - 1n + step > INT64_MAX : second.lo + 1n + step < INT64_MIN;
}

/** The values a `range(…)` loop variable takes. */
export function rangeValues(args: readonly Range[]): Range {
  const [first, second] = args.map((r) => toInt(r, "trunc")) as (Range & { int: true })[];
  if (!first) return ANY_INT;
  if (!second) return checked(0n, first.hi - 1n < 0n ? 0n : first.hi - 1n);
  if (args.length === 2) return checked(first.lo, second.hi - 1n);
  return union(first, second);
}
