/**
 * Sizes that cannot explode, and loops that cannot run forever because their collection grows.
 *
 * Every variable, parameter, function result and API collection is a *cell*, and every cell has an
 * element cell (what `a[i]` or `for x in a` gives). Cells that may hold the same object (`b = a`,
 * `x` in `for x in a` and `a`'s elements, a value appended to `a` and `a`'s elements) are merged:
 * arrays and dictionaries are shared by reference, so a change through one is a change through
 * all; merging two cells merges their elements too. A
 * *step* is a place where a cell gets a new size made of others: `s = s + t` is a step of `s` from
 * `{s, t}`; `a.append_array(b)` a step of `a` from `{a, b}`.
 *
 * Growth: a step that takes its target's size from its own strongly connected component more than
 * once (`s += s`, `t = s; s = s + t`, `x = f(x)` where `f` returns `x + x`) can double the value
 * each time it runs, and `on_tick` or a repeating timer runs it without end: 2^40 bytes after 40
 * frames. Refused. One contribution from the component (`s += "x"`, `log = log + name`) grows
 * linearly and is allowed.
 *
 * Loops: `for x in a` re-reads `a`'s size at every step, so a loop body that changes `a` (or
 * anything that may be `a`), directly or through a function or lambda it uses, could run forever
 * (or corrupt a dictionary's iteration). Refused.
 *
 * @module
 */

import type { Span } from "../parser/ast.ts";
import { components, UnionFind } from "./graphs.ts";
import { cellSize, SCALAR, type Size } from "./sizes.ts";

/** How many copies of a cell a size holds; `Infinity` for "as many as some runtime count". */
export type Parts = Map<number, number>;

/**
 * What an expression evaluates to, for sizes: maybe a location (`alias`) and what it is made of.
 * `parts: null` is the common case of a plain read: the alias once (or nothing without one).
 */
export interface SizedValue {
  readonly alias: number | null;
  readonly parts: Parts | null;
  /** Its size bound; when absent, that of its location (or a scalar without one). */
  readonly size?: Size;
  /**
   * A new value whose elements are not followed (a copy, a concatenation, pieces of a text):
   * wherever it flows, its elements, and theirs, are at most its weight.
   */
  readonly opaque?: boolean;
}

export const NO_SIZE: SizedValue = { alias: null, parts: null };

/** The value of reading a location. */
export function located(cell: number): SizedValue {
  return { alias: cell, parts: null };
}

/** The size bound of a value. */
export function sizeOf(value: SizedValue): Size {
  if (value.size) return value.size;
  return value.alias === null ? SCALAR : cellSize(value.alias);
}

/** What a value is made of. */
export function partsOf(value: SizedValue): Parts {
  if (value.parts) return value.parts;
  return value.alias === null ? NO_PARTS : new Map([[value.alias, 1]]);
}

/** Nothing: shared, so never changed (Parts are never changed once made). */
const NO_PARTS: Parts = new Map();

/** A step or loop is described by a message text, or by the source text of a node. */
export type What = string | Span;

/** A loop (or a repetition) around a place in a function: how many times its body runs. */
export type Factor =
  /** At most this many times. */
  | { readonly k: number }
  /** As many times as the count of a cell (a `for` over it, `map` over it). */
  | { readonly cell: number }
  /** A comparison sort of a cell: about n·log2(n) times. */
  | { readonly sort: number };

/** The loops around a place, innermost first (shared tails: capturing one costs nothing). */
export type Scope = { readonly factor: Factor; readonly up: Scope } | null;

export interface Step {
  readonly target: number;
  readonly parts: Parts;
  readonly at: Span;
  readonly what: What;
  readonly fn: number;
  /** Changes the object in place (not a new value): matters to loops over it. */
  readonly inPlace: boolean;
  /** The value's size (a flow), or what it adds to the target each time it runs (in place). */
  readonly size: Size;
  /** The loops around it in its function. */
  readonly scope: Scope;
}

interface Loop {
  readonly collection: number;
  readonly fn: number;
  readonly at: Span;
  readonly start: number;
  readonly end: number;
  readonly what: What;
}

/** A problem found by the growth analysis. */
export interface GrowthProblem {
  readonly at: Span;
  readonly message: string;
}

export class Growth {
  readonly cells = new UnionFind();
  /** The loops around what the checker is looking at; steps capture it. */
  scope: Scope = null;
  /** Cells kept from one run of the spell to the next (members). */
  readonly persistent = new Set<number>();
  /** Bounds of cells filled from outside the spell (`ctx.params`): count and weight. */
  readonly fixed = new Map<number, { n: number; w: number }>();
  #steps: Step[] = [];
  /** Opaque values that flowed into a cell: bound its elements at every depth (expandWholes). */
  #wholes: { target: number; size: Size; parts: Parts; at: Span; fn: number; scope: Scope }[] = [];
  #loops: Loop[] = [];
  #named = new Map<string, number>();
  /** The element cell of each root cell, created on first use. */
  #elements = new Map<number, number>();

  cell(): number {
    return this.cells.add();
  }

  /** The cell of `a`'s elements. */
  element(a: number): number {
    const root = this.cells.find(a);
    let element = this.#elements.get(root);
    if (element === undefined) this.#elements.set(root, element = this.cell());
    return element;
  }

  /** Cells of values the spell may read but never change, with what to call them. */
  #readOnly = new Map<number, string>();

  /** The value in `cell`, and everything inside it, may not be changed in place. */
  readOnly(cell: number, what: string): void {
    if (!this.#readOnly.has(cell)) this.#readOnly.set(cell, what);
  }

  /** One cell per name (API properties such as `SpellContext.params`). */
  namedCell(name: string): number {
    let cell = this.#named.get(name);
    if (cell === undefined) this.#named.set(name, cell = this.cell());
    return cell;
  }

  /** `a` and `b` may be the same object: so may their elements, and theirs. */
  merge(a: number, b: number): void {
    const work: [number, number][] = [[a, b]];
    while (work.length > 0) {
      const [x, y] = work.pop()!;
      const rx = this.cells.find(x);
      const ry = this.cells.find(y);
      if (rx === ry) continue;
      const ex = this.#elements.get(rx);
      const ey = this.#elements.get(ry);
      this.cells.union(rx, ry);
      const root = this.cells.find(rx);
      this.#elements.delete(rx === root ? ry : rx);
      if (ex !== undefined && ey !== undefined) {
        this.#elements.set(root, ex);
        work.push([ex, ey]);
      } else if (ex !== undefined || ey !== undefined) {
        this.#elements.set(root, (ex ?? ey)!);
      }
    }
  }

  /** A value flows into a cell: the same object (merge) or a new value made of parts (a step). */
  flow(target: number, value: SizedValue, at: Span, what: What, fn: number): void {
    if (value.opaque && value.alias === null) {
      this.whole(target, sizeOf(value), at, fn, value.parts ?? undefined);
    }
    if (value.alias !== null) this.merge(target, value.alias);
    const parts = value.parts ?? new Map<number, number>();
    if (value.alias !== null && !value.size && (!value.parts || value.parts.size === 0)) return;
    if (value.alias !== null && !value.size && parts.size === 1 && parts.get(value.alias) === 1) {
      return;
    }
    if (parts.size === 0 && !value.size) return;
    this.#steps.push({
      target,
      parts,
      at,
      what,
      fn,
      inPlace: false,
      size: sizeOf(value),
      scope: this.scope,
    });
  }

  /**
   * A cell changed in place by `parts` (its own size included): `a.append(x)`, `d[k] = v`; it
   * grows by `added` each time.
   */
  mutate(target: number, parts: Parts, at: Span, what: What, fn: number, added: Size): void {
    this.#steps.push({
      target,
      parts,
      at,
      what,
      fn,
      inPlace: true,
      size: added,
      scope: this.scope,
    });
  }

  /** The elements of the value in `target`, at every depth, are at most `size`'s weight. */
  whole(target: number, size: Size, at: Span, fn: number, parts: Parts = new Map()): void {
    this.#wholes.push({ target, size, parts, at, fn, scope: this.scope });
  }

  /**
   * Turns each opaque value into steps feeding the element cells under its target (those the
   * spell reads exist by now): an element's characters or elements are at most the whole's
   * weight. Called once, when checking is done and before solving.
   */
  expandWholes(): void {
    for (const whole of this.#wholes) {
      const size: Size = { n: whole.size.w, w: whole.size.w };
      const seen = new Set<number>();
      for (
        let element = this.#elements.get(this.cells.find(whole.target));
        element !== undefined && !seen.has(this.cells.find(element));
        element = this.#elements.get(this.cells.find(element))
      ) {
        seen.add(this.cells.find(element));
        this.#steps.push({
          target: element,
          parts: whole.parts,
          at: whole.at,
          what: "an element",
          fn: whole.fn,
          inPlace: false,
          size,
          scope: whole.scope,
        });
      }
    }
    this.#wholes = [];
  }

  /** Every step, for the size and cost solver. */
  get steps(): readonly Step[] {
    return this.#steps;
  }

  /** A `for` loop over the collection in `collection`, spanning `[start, end)` of function `fn`. */
  loop(collection: number, fn: number, at: Span, start: number, end: number, what: What): void {
    this.#loops.push({ collection, fn, at, start, end, what });
  }

  /**
   * The problems, given the call graph: `calls(fn)` are the functions and lambdas `fn` may run,
   * each with the offset of the call site.
   */
  problems(
    calls: (fn: number) => readonly { to: number; offset: number }[],
    fnCount: number,
    text: (node: Span) => string,
  ): GrowthProblem[] {
    const problems: GrowthProblem[] = [];
    const describe = (what: What) => typeof what === "string" ? what : `\`${text(what)}\``;
    const find = (cell: number) => this.cells.find(cell);
    this.#readOnlyProblems(problems);
    const edges = new Map<number, Set<number>>();
    for (const step of this.#steps) {
      const target = find(step.target);
      for (const cell of step.parts.keys()) {
        const from = find(cell);
        let out = edges.get(from);
        if (!out) edges.set(from, out = new Set());
        out.add(target);
      }
    }
    const component = components(this.cells.size, edges);
    for (const step of this.#steps) {
      const home = component[find(step.target)];
      let copies = 0;
      for (const [cell, times] of step.parts) {
        if (component[find(cell)] === home) copies += times;
      }
      if (copies >= 2) {
        problems.push({
          at: step.at,
          message: `${describe(step.what)} can double in size each time it runs (it is built ` +
            `from itself more than once, directly or through other values)`,
        });
      }
    }
    if (this.#loops.length === 0) return problems;
    const grown = this.#grownBy(calls, fnCount);
    const inPlace = new Map<number, Step[]>();
    for (const step of this.#steps) {
      if (!step.inPlace) continue;
      const list = inPlace.get(step.fn) ?? [];
      list.push(step);
      inPlace.set(step.fn, list);
    }
    for (const loop of this.#loops) {
      const target = find(loop.collection);
      const inBody = (inPlace.get(loop.fn) ?? []).some((step) =>
        step.at.start >= loop.start && step.at.start < loop.end && find(step.target) === target
      );
      const viaCalls = !inBody &&
        calls(loop.fn).some(({ to, offset }) =>
          offset >= loop.start && offset < loop.end && grown[to]!.has(target)
        );
      if (inBody || viaCalls) {
        const what = describe(loop.what);
        problems.push({
          at: loop.at,
          message: `the loop over ${what} changes ${what} (or a value that may be it) inside ` +
            `the loop, so it might never end: change a copy, or collect changes and apply them ` +
            `after the loop`,
        });
      }
    }
    return problems;
  }

  /**
   * In-place changes of a read-only value, or of anything inside it (its elements share it): the
   * client's own dictionaries (`ctx.params`, `ctx.manifest`, an event) outlive the cast and are
   * read by the client and other spells.
   */
  #readOnlyProblems(problems: GrowthProblem[]): void {
    if (this.#readOnly.size === 0) return;
    const owner = new Map<number, string>();
    for (const [cell, what] of this.#readOnly) {
      for (let c: number | undefined = this.cells.find(cell); c !== undefined;) {
        const root = this.cells.find(c);
        if (owner.has(root)) break;
        owner.set(root, what);
        c = this.#elements.get(root);
      }
    }
    const reported = new Set<number>();
    for (const step of this.#steps) {
      if (!step.inPlace) continue;
      const what = owner.get(this.cells.find(step.target));
      if (what === undefined || reported.has(step.at.start)) continue;
      reported.add(step.at.start);
      problems.push({
        at: step.at,
        message: `this changes ${what} (or a value that may be it, or inside it), which the ` +
          `client owns and shares: copy it first with .duplicate(true)`,
      });
    }
  }

  /** The cells each function changes in place, itself or through what it runs. */
  #grownBy(calls: (fn: number) => readonly { to: number }[], fnCount: number): Set<number>[] {
    const grown = Array.from({ length: fnCount }, () => new Set<number>());
    for (const step of this.#steps) {
      if (step.inPlace) grown[step.fn]?.add(this.cells.find(step.target));
    }
    for (let changed = true, rounds = 0; changed && rounds < fnCount + 1; rounds++) {
      changed = false;
      for (let fn = 0; fn < fnCount; fn++) {
        for (const { to } of calls(fn)) {
          for (const cell of grown[to]!) {
            if (!grown[fn]!.has(cell)) {
              grown[fn]!.add(cell);
              changed = true;
            }
          }
        }
      }
    }
    return grown;
  }
}

/** `a` and `b` added together (`x + y`, the parts of a call result). */
export function addParts(a: Parts, b: Parts, times = 1): Parts {
  if (b.size === 0) return a;
  if (a.size === 0 && times === 1) return b;
  const out = new Map(a);
  for (const [cell, n] of b) out.set(cell, (out.get(cell) ?? 0) + n * times);
  return out;
}
