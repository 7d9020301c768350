/**
 * Interval folding of integer expressions: the range a loop bound or an allocation size can take.
 * Constants fold to themselves; `mini`, `clampi`, `min`, `clamp` cap what they are given, so
 * `range(mini(n, 8))` is bounded by 8 whatever `n` is. Anything else is unbounded.
 *
 * @module
 */

import type { Expression } from "../parser/ast.ts";

/** A closed interval; either end may be infinite. */
export interface Interval {
  readonly lo: number;
  readonly hi: number;
}

export const UNBOUNDED: Interval = { lo: -Infinity, hi: Infinity };

/** What a name is, for folding: a constant expression, a known number or range, or nothing. */
export type ConstLookup = (expr: Expression) => Expression | number | Interval | undefined;

const point = (v: number): Interval => ({ lo: v, hi: v });

/**
 * The interval of `expr`. `lookup` resolves identifiers and attributes to constant expressions or
 * numbers (the spell's `const`s, enum values, API constants); `depth` stops cycles.
 */
export function intervalOf(expr: Expression, lookup: ConstLookup, depth = 0): Interval {
  if (depth > 32) return UNBOUNDED;
  const of = (e: Expression) => intervalOf(e, lookup, depth + 1);
  switch (expr.kind) {
    case "number":
      return Number.isFinite(expr.value) ? point(expr.value) : UNBOUNDED;
    case "bool":
      return point(expr.value ? 1 : 0);
    case "identifier":
    case "attribute": {
      const found = lookup(expr);
      if (typeof found === "number") return point(found);
      if (found && "lo" in found) return found;
      return found ? of(found) : UNBOUNDED;
    }
    case "unary": {
      const v = of(expr.operand);
      if (expr.op === "-") return { lo: -v.hi, hi: -v.lo };
      return expr.op === "+" ? v : UNBOUNDED;
    }
    case "binary":
      return binary(expr.op, of(expr.left), of(expr.right));
    case "ternary": {
      const a = of(expr.whenTrue);
      const b = of(expr.whenFalse);
      return { lo: Math.min(a.lo, b.lo), hi: Math.max(a.hi, b.hi) };
    }
    case "cast":
      return of(expr.operand);
    case "call":
      return call(expr.callee, expr.args, of);
    default:
      return UNBOUNDED;
  }
}

function binary(op: string, a: Interval, b: Interval): Interval {
  switch (op) {
    case "+":
      return { lo: a.lo + b.lo, hi: a.hi + b.hi };
    case "-":
      return { lo: a.lo - b.hi, hi: a.hi - b.lo };
    case "*": {
      const products = [a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi].map((v) =>
        Number.isNaN(v) ? Infinity : v
      );
      return { lo: Math.min(...products), hi: Math.max(...products) };
    }
    case "/":
      if (b.lo === b.hi && b.lo > 0) return { lo: a.lo / b.lo, hi: a.hi / b.lo };
      return UNBOUNDED;
    case "%":
      if (b.lo === b.hi && b.lo > 0) {
        return a.lo >= 0 ? { lo: 0, hi: b.lo - 1 } : { lo: -(b.lo - 1), hi: b.lo - 1 };
      }
      return UNBOUNDED;
    case "<<":
      if (a.lo === a.hi && b.lo === b.hi && b.lo >= 0 && b.lo < 53) return point(a.lo * 2 ** b.lo);
      return UNBOUNDED;
    case ">>":
      if (a.lo >= 0 && b.lo >= 0) return { lo: 0, hi: a.hi };
      return UNBOUNDED;
    default:
      return UNBOUNDED;
  }
}

function call(
  callee: Expression,
  args: readonly Expression[],
  of: (e: Expression) => Interval,
): Interval {
  if (callee.kind !== "identifier") return UNBOUNDED;
  const vals = args.map(of);
  const [a, b, c] = vals;
  switch (callee.name) {
    case "int":
    case "float":
      return a && args.length === 1 ? { lo: Math.floor(a.lo), hi: Math.ceil(a.hi) } : UNBOUNDED;
    case "mini":
    case "minf":
    case "min":
      return a && b ? { lo: Math.min(a.lo, b.lo), hi: Math.min(a.hi, b.hi) } : UNBOUNDED;
    case "maxi":
    case "maxf":
    case "max":
      return a && b ? { lo: Math.max(a.lo, b.lo), hi: Math.max(a.hi, b.hi) } : UNBOUNDED;
    case "clampi":
    case "clampf":
    case "clamp":
      // clamp(v, lo, hi) returns lo when v < lo even if lo > hi: bounded by both ends.
      return b && c ? { lo: Math.min(b.lo, c.lo), hi: Math.max(b.hi, c.hi) } : UNBOUNDED;
    case "absi":
    case "absf":
    case "abs":
      return a ? { lo: 0, hi: Math.max(Math.abs(a.lo), Math.abs(a.hi)) } : UNBOUNDED;
    case "signi":
    case "sign":
      return { lo: -1, hi: 1 };
    case "floori":
    case "ceili":
    case "roundi":
    case "floor":
    case "ceil":
    case "round":
      return a ? { lo: Math.floor(a.lo), hi: Math.ceil(a.hi) } : UNBOUNDED;
    default:
      return UNBOUNDED;
  }
}

/** How many times `range(args…)` runs at most, or Infinity when it cannot be bounded. */
export function rangeTrips(args: readonly Interval[]): number {
  if (args.length === 1) return Math.max(0, args[0]!.hi);
  const [from, to, by] = args as [Interval, Interval, Interval | undefined];
  const stepValue = by ? (by.lo === by.hi ? by.lo : NaN) : 1;
  if (!Number.isFinite(stepValue) || stepValue === 0) return Infinity;
  const span = stepValue > 0 ? to.hi - from.lo : from.hi - to.lo;
  return Math.max(0, Math.ceil(span / Math.abs(stepValue)));
}
