/**
 * Size bounds: how large a value can be, as a polynomial over the bounds of the places (cells,
 * see growth.ts) it is made from. Two measures: `n`, the count (characters of a string, elements
 * of an array or dictionary), which bounds a loop over the value; and `w`, the weight (what the
 * value holds when fully expanded: a scalar weighs 1, a string its length plus 1, a collection the
 * weights of its elements), which bounds its memory when copied deeply or turned into text.
 *
 * The weight is measured in printed characters: what the value takes when turned into text (a
 * float up to 24, a Transform3D about 330, a string its length and quotes, a collection its
 * elements, separators and brackets). So `str(x)` is at most the weight of x, and memory is at
 * most a small multiple of it.
 *
 * A bound is evaluated to a pair `{ fin, run }`: at most `fin + run * R` after a member has been
 * added to in R runs of the spell's entry points (`run` is 0 for anything not kept from one run to
 * the next).
 *
 * @module
 */

/** Which measure of a cell a variable stands for. */
export const COUNT = 0;
export const WEIGHT = 1;

/** A variable of a polynomial: measure `COUNT` or `WEIGHT` of a cell. */
export function sizeVar(cell: number, measure: 0 | 1): number {
  return cell * 2 + measure;
}

/** The cell of a variable. */
export function varCell(v: number): number {
  return v >> 1;
}

/** `k` times the product of the bounds of `vars` (a constant when `vars` is empty). */
export interface Term {
  readonly k: number;
  readonly vars: readonly number[];
}

/** A sum of terms. */
export type Poly = readonly Term[];

/** The count and the weight of a value. */
export interface Size {
  readonly n: Poly;
  readonly w: Poly;
}

/** Most terms a polynomial keeps; beyond that it is unbounded (never in real spells). */
const MAX_TERMS = 32;

/** The unbounded polynomial. */
export const UNBOUNDED_POLY: Poly = [{ k: Infinity, vars: [] }];

export function constant(k: number): Poly {
  return k === 0 ? [] : [{ k, vars: [] }];
}

export function variable(v: number): Poly {
  return [{ k: 1, vars: [v] }];
}

export function add(a: Poly, b: Poly): Poly {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out = new Map<string, Term>();
  for (const term of [...a, ...b]) {
    const key = term.vars.join(",");
    const old = out.get(key);
    out.set(key, old ? { k: old.k + term.k, vars: term.vars } : term);
  }
  return out.size > MAX_TERMS ? UNBOUNDED_POLY : [...out.values()];
}

export function scale(a: Poly, k: number): Poly {
  if (k === 1) return a;
  if (k === 0) return [];
  return a.map((term) => ({ k: term.k * k, vars: term.vars }));
}

export function multiply(a: Poly, b: Poly): Poly {
  let out: Poly = [];
  for (const x of a) {
    for (const y of b) {
      out = add(out, [{ k: x.k * y.k, vars: [...x.vars, ...y.vars].sort((p, q) => p - q) }]);
    }
  }
  return out;
}

/** Printed characters of a value of each scalar type, at most. */
const SCALAR_CHARS: Record<string, number> = {
  bool: 5,
  int: 20,
  float: 24,
  Vector2: 52,
  Vector3: 78,
  Vector3i: 36,
  Color: 104,
  Basis: 250,
  Transform3D: 330,
};

/** Whether values of a type are scalars with a known printed width (numbers, vectors…). */
export function isScalarType(type: string): boolean {
  return Object.hasOwn(SCALAR_CHARS, type);
}

/** Anything else printed alone (an object, a callable, null, an unknown scalar). */
const OTHER_CHARS = 340;

const scalars = new Map<string, Size>();

/** A scalar of a type (a number, a vector, an object): no count. */
export function scalar(type: string | null): Size {
  const key = type ?? "";
  let size = scalars.get(key);
  if (!size) scalars.set(key, size = { n: [], w: constant(SCALAR_CHARS[key] ?? OTHER_CHARS) });
  return size;
}

/** A scalar of unknown type. */
export const SCALAR: Size = scalar(null);

/** A string of `length` characters (its weight counts the quotes it gets inside a collection). */
export function text(length: number): Size {
  return { n: constant(length), w: constant(length + 2) };
}

/** A string of `n` characters. */
export function textOf(n: Poly): Size {
  return { n, w: add(n, constant(2)) };
}

/** What an element adds to a collection's weight besides itself: a separator. */
export const SEPARATOR = 2;

/** A collection's brackets. */
export const BRACKETS = 2;

const cellSizes: Size[] = [];

/** What reading a cell gives: that cell's count and weight. */
export function cellSize(cell: number): Size {
  return cellSizes[cell] ??= {
    n: variable(sizeVar(cell, COUNT)),
    w: variable(sizeVar(cell, WEIGHT)),
  };
}

export function sumSizes(a: Size, b: Size): Size {
  return { n: add(a.n, b.n), w: add(a.w, b.w) };
}

/** A bound after R runs: `fin + run * R`. */
export interface Bound {
  readonly fin: number;
  readonly run: number;
}

export const ZERO: Bound = { fin: 0, run: 0 };
export const INFINITE: Bound = { fin: Infinity, run: 0 };

export function evaluate(poly: Poly, bound: (v: number) => Bound): Bound {
  let fin = 0;
  let run = 0;
  for (const term of poly) {
    let f = term.k;
    let r = 0;
    for (const v of term.vars) {
      const b = bound(v);
      // (f + rR)(b.fin + b.run R): a product of two growing values grows faster than R.
      if (r > 0 && b.run > 0) return INFINITE;
      const nf = f * b.fin;
      r = f * b.run + r * b.fin;
      f = nf;
    }
    fin += Number.isNaN(f) ? Infinity : f;
    run += Number.isNaN(r) ? Infinity : r;
  }
  return { fin, run };
}

/** The variables a polynomial reads, with how many times each term uses each. */
export function varsOf(poly: Poly): number[] {
  const out: number[] = [];
  for (const term of poly) for (const v of term.vars) out.push(v);
  return out;
}
