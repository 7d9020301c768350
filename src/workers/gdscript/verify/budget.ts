/**
 * The whole-spell budget: how much work one run of an entry point (`on_cast`, `on_tick`,
 * `on_event`, `on_cancel`, `_init`, the member initializers) can cause, and how large any value
 * can get.
 *
 * Work is counted over the spell's (acyclic: recursion is refused) call graph: every iteration of
 * a loop, every call of one of the spell's functions or lambdas, every world call. A callable the
 * spell hands to the engine is charged to the run that hands it over, as many times as the engine
 * can call it (once for a one-shot timer, once per loop of a tween): so everything a cast sets in
 * motion, now or in later frames, fits in one budget. Loops over a collection run as many times as
 * the collection's count bound, `map` and friends call their callable that often.
 *
 * Sizes are bounds per place (cell, growth.ts), solved together with the work: a loop's count
 * bounds how often the appends inside it run, and an append bounds the count of what a later loop
 * walks. Values kept in members across runs may grow by a bounded amount per run; everything else
 * is bounded outright.
 *
 * @module
 */

import type { Span } from "../parser/ast.ts";
import { components } from "./graphs.ts";
import type { Factor, Growth, Scope, Step } from "./growth.ts";
import {
  type Bound,
  COUNT,
  evaluate,
  INFINITE,
  type Poly,
  type Size,
  sizeVar,
  type Term,
  varCell,
  WEIGHT,
  ZERO,
} from "./sizes.ts";

/** Limits the budget enforces (API limits and the server's iteration option). */
export interface BudgetLimits {
  /** Work units (loop iterations, calls) one run of an entry point may cause. */
  readonly maxWork: number;
  /** Characters or elements read or copied per work unit (see `scan`). */
  readonly charsPerWork: number;
  /** Largest count or weight of any value. */
  readonly maxValueSize: number;
  /** How much a member may grow each run. */
  readonly maxGrowthPerRun: number;
  /** Engine objects (nodes, timers, tweens, effects, sounds) one run may create. */
  readonly maxObjects: number;
  /** Prints (the spell's and the world API's) one run may make. */
  readonly maxPrints: number;
  /** Characters one print may have. */
  readonly maxPrintChars: number;
  /** Characters one run may print in all. */
  readonly maxPrintedPerRun: number;
  /** The same three for a run of on_tick, which the engine runs every frame for every cast. */
  readonly maxObjectsPerFrame: number;
  readonly maxPrintsPerFrame: number;
  readonly maxPrintedPerFrame: number;
}

/** What a place costs each time it runs. */
type Charge = "work" | "objects" | "prints";

interface Site {
  readonly fn: number;
  readonly scope: Scope;
  readonly at: Span;
}

interface LoopSite extends Site {
  /** How many times the body runs each time the loop is reached. */
  readonly trips: Factor;
}

interface CallSite extends Site {
  readonly to: number;
  /** Extra repetition: the callable of `map` runs once per element, a tween's once per loop. */
  readonly times: Factor | null;
}

interface ChargeSite extends Site {
  readonly charge: Charge;
  /** For prints: the characters printed. */
  readonly text?: Poly;
}

/** An operation that reads or copies values of this total weight each time it runs. */
interface ScanSite extends Site {
  readonly size: Poly;
}

/** A size that must stay within the limit wherever it is computed. */
interface Check {
  readonly size: Size;
  readonly at: Span;
  readonly what: string;
}

/** Variables that depend on each other, with the steps that feed them. */
interface Group {
  readonly members: Set<number>;
  readonly feeds: { readonly step: Step; readonly own: Poly; readonly rest: Poly }[];
  persistent: boolean;
}

interface Prepared {
  readonly groups: readonly Group[];
}

/** A problem with the line it belongs to. */
export interface BudgetProblem {
  readonly at: Span;
  readonly message: string;
}

export class Budget {
  readonly #growth: Growth;
  readonly #names: readonly string[];
  #loops: LoopSite[] = [];
  #calls: CallSite[] = [];
  #charges: ChargeSite[] = [];
  #scans: ScanSite[] = [];
  #checks: Check[] = [];
  #roots: { fn: number; at: Span; name: string }[] = [];

  constructor(growth: Growth, names: readonly string[]) {
    this.#growth = growth;
    this.#names = names;
  }

  /** An entry point the engine runs on its own. */
  root(fn: number, at: Span, name: string): void {
    this.#roots.push({ fn, at, name });
  }

  loop(fn: number, scope: Scope, trips: Factor, at: Span): void {
    this.#loops.push({ fn, scope, trips, at });
  }

  call(fn: number, scope: Scope, to: number, at: Span, times: Factor | null = null): void {
    this.#calls.push({ fn, scope, to, at, times });
  }

  charge(fn: number, scope: Scope, charge: Charge, at: Span, text?: Poly): void {
    this.#charges.push({ fn, scope, charge, at, text });
  }

  /**
   * An operation whose time grows with its operands (comparing, searching, concatenating,
   * converting, hashing values of weight `size`): it costs size / charsPerWork work units.
   */
  scan(fn: number, scope: Scope, at: Span, size: Poly): void {
    if (size.length > 0) this.#scans.push({ fn, scope, at, size });
  }

  check(size: Size, at: Span, what: string): void {
    this.#checks.push({ size, at, what });
  }

  /** Solves work and sizes together, then reports what is over the limits. */
  problems(limits: BudgetLimits, text: (node: Span) => string): BudgetProblem[] {
    const fnCount = this.#names.length;
    const callsFrom: CallSite[][] = Array.from({ length: fnCount }, () => []);
    for (const call of this.#calls) callsFrom[call.fn]?.push(call);
    const order = topological(fnCount, callsFrom);
    if (!order) return []; // Recursion: reported by the call graph; nothing to count.

    this.#fixedRoots = new Map();
    for (const [cell, b] of this.#growth.fixed) {
      this.#fixedRoots.set(this.#growth.cells.find(cell), b);
    }
    const prepared = this.#prepare();
    let bounds = new Map<number, Bound>();
    let runs = new Map<Step, number>();
    const sizeBound = (v: number) => this.#bound(bounds, v);
    const factor = (f: Factor) => factorValue(f, sizeBound);
    // Work and sizes depend on each other through loops over collections: iterate.
    for (let round = 0; round < 8; round++) {
      const perRoot = this.#perRoot(order, callsFrom, factor);
      const nextRuns = new Map<Step, number>();
      for (const step of this.#growth.steps) {
        nextRuns.set(step, maxRuns(perRoot, step.fn, step.scope, factor));
      }
      const next = this.#solveSizes(prepared, nextRuns);
      if (sameBounds(bounds, next) && sameRuns(runs, nextRuns)) break;
      if (round === 7) {
        // Still growing: whatever changed could grow without end.
        for (const [v, b] of next) if (!sameBound(b, bounds.get(v))) next.set(v, INFINITE);
      }
      bounds = next;
      runs = nextRuns;
    }
    const problems: BudgetProblem[] = [];
    this.#sizeProblems(bounds, runs, limits, text, problems);
    // A value over the size limit is the cause; what reading it costs would only repeat it.
    const scans = problems.length === 0;
    this.#workProblems(order, callsFrom, factor, limits, sizeBound, problems, scans);
    return problems;
  }

  #bound(bounds: Map<number, Bound>, v: number): Bound {
    const cell = this.#growth.cells.find(varCell(v));
    const fixed = this.#fixedBound(cell, v);
    if (fixed) return fixed;
    return bounds.get(sizeVar(cell, (v & 1) as 0 | 1)) ?? ZERO;
  }

  /** Bounds of cells filled from outside, by root cell (set when solving starts). */
  #fixedRoots = new Map<number, { n: number; w: number }>();

  #fixedBound(root: number, v: number): Bound | null {
    const b = this.#fixedRoots.get(this.#growth.cells.find(root));
    return b ? { fin: (v & 1) === COUNT ? b.n : b.w, run: 0 } : null;
  }

  /** How many times each function runs in one run of each root. */
  #perRoot(
    order: number[],
    callsFrom: CallSite[][],
    factor: (f: Factor) => number,
  ): Map<number, Float64Array> {
    const out = new Map<number, Float64Array>();
    for (const root of this.#roots) {
      const runs = new Float64Array(this.#names.length);
      runs[root.fn] = 1;
      for (const fn of order) {
        const n = runs[fn]!;
        if (n === 0) continue;
        for (const call of callsFrom[fn]!) {
          const times = call.times ? factor(call.times) : 1;
          runs[call.to] = runs[call.to]! + n * scopeValue(call.scope, factor) * times;
        }
      }
      out.set(root.fn, runs);
    }
    return out;
  }

  /**
   * The structure of the size equations, which does not change between rounds: each step feeds
   * the count and the weight of its target; feeds are grouped by strongly connected component of
   * variables (values built from each other), in the order to solve them.
   */
  #prepare(): Prepared {
    const growth = this.#growth;
    const find = (cell: number) => growth.cells.find(cell);
    const norm = (v: number) => sizeVar(find(varCell(v)), (v & 1) as 0 | 1);
    const raw: { step: Step; target: number; poly: Poly }[] = [];
    for (const step of growth.steps) {
      const target = find(step.target);
      raw.push({ step, target: sizeVar(target, COUNT), poly: normalize(step.size.n, norm) });
      raw.push({ step, target: sizeVar(target, WEIGHT), poly: normalize(step.size.w, norm) });
    }
    const ids = new Map<number, number>();
    const idOf = (v: number) => {
      let id = ids.get(v);
      if (id === undefined) ids.set(v, id = ids.size);
      return id;
    };
    const edges = new Map<number, Set<number>>();
    for (const feed of raw) {
      const to = idOf(feed.target);
      for (const term of feed.poly) {
        for (const v of term.vars) {
          const from = idOf(v);
          let out = edges.get(from);
          if (!out) edges.set(from, out = new Set());
          out.add(to);
        }
      }
    }
    const component = components(ids.size, edges);
    const groups = new Map<number, Group>();
    const groupOf = (c: number) => {
      let group = groups.get(c);
      if (!group) groups.set(c, group = { members: new Set(), feeds: [], persistent: false });
      return group;
    };
    for (const [v, id] of ids) {
      const group = groupOf(component[id]!);
      group.members.add(v);
      if (this.#persistent(varCell(v))) group.persistent = true;
    }
    for (const feed of raw) {
      const group = groupOf(component[idOf(feed.target)]!);
      const own = feed.poly.filter((term) => term.vars.some((v) => group.members.has(v)));
      const rest = feed.poly.filter((term) => !term.vars.some((v) => group.members.has(v)));
      group.feeds.push({ step: feed.step, own, rest });
    }
    // Tarjan numbers sinks first; edges go from what is read to what is fed, so what a
    // component reads has a higher number: solve in decreasing order.
    const order = [...groups.keys()].sort((a, b) => b - a).map((c) => groups.get(c)!);
    return { groups: order };
  }

  /** Bounds of every size variable, given how many times each step runs per run. */
  #solveSizes(prepared: Prepared, runs: Map<Step, number>): Map<number, Bound> {
    const bounds = new Map<number, Bound>();
    const bound = (v: number): Bound => {
      const fixed = this.#fixedBound(varCell(v), v);
      return fixed ?? bounds.get(v) ?? ZERO;
    };
    for (const group of prepared.groups) {
      let base: Bound = ZERO;
      let added: Bound = ZERO;
      for (const feed of group.feeds) {
        const times = runs.get(feed.step) ?? 0;
        const value = evaluate(feed.rest, bound);
        if (feed.step.inPlace) {
          // Grows by `rest` each time it runs (its own part is what it already holds).
          if (feed.own.length > 0) {
            added = INFINITE;
          } else {
            added = plus(added, times === Infinity ? INFINITE : scaleBound(value, times));
          }
        } else if (feed.own.length === 0) {
          base = maxBound(base, value);
        } else if (
          feed.own.length === 1 && feed.own[0]!.k <= 1 && feed.own[0]!.vars.length === 1
        ) {
          // x = x + rest: accumulates rest each time.
          added = plus(added, times === Infinity ? INFINITE : scaleBound(value, times));
        } else {
          added = INFINITE; // Built from itself more than once: doubles (reported by growth).
        }
      }
      let result: Bound;
      if (group.persistent) {
        // Kept across runs: what one run adds, it adds again next run.
        result = added.run > 0 || added.fin === Infinity
          ? INFINITE
          : { fin: base.fin, run: base.run + added.fin };
      } else {
        result = plus(base, added);
      }
      for (const v of group.members) bounds.set(v, result);
    }
    return bounds;
  }

  #persistent(cell: number): boolean {
    if (!this.#persistentRoots) {
      this.#persistentRoots = new Set();
      for (const c of this.#growth.persistent) {
        this.#persistentRoots.add(this.#growth.cells.find(c));
      }
    }
    return this.#persistentRoots.has(this.#growth.cells.find(cell));
  }

  /** Root cells of the values kept across runs (members), once the cells are final. */
  #persistentRoots: Set<number> | null = null;

  /**
   * Each value over the limits, reported once, at the step that puts most into it (the append in
   * the loop, not the `[]` it started from).
   */
  #sizeProblems(
    bounds: Map<number, Bound>,
    runs: Map<Step, number>,
    limits: BudgetLimits,
    text: (node: Span) => string,
    problems: BudgetProblem[],
  ): void {
    const bound = (v: number) => this.#bound(bounds, v);
    const describe = (what: Step["what"]) => typeof what === "string" ? what : `\`${text(what)}\``;
    const worst = new Map<number, { step: Step; share: number }>();
    for (const step of this.#growth.steps) {
      const target = this.#growth.cells.find(step.target);
      const n = evaluate(step.size.n, bound);
      const w = evaluate(step.size.w, bound);
      const times = step.inPlace ? runs.get(step) ?? 0 : 1;
      const share = Math.max(n.fin, w.fin, (n.run + w.run) * 1e6) * times;
      const best = worst.get(target);
      if (
        !best || share > best.share ||
        (share === best.share && step.at.start < best.step.at.start)
      ) {
        worst.set(target, { step, share });
      }
    }
    // What the members keep adds up over runs: together they may grow by the per-run limit.
    let kept = 0;
    let largest: { at: Span; run: number } | null = null;
    for (const [target, { step }] of worst) {
      const n = bound(sizeVar(target, COUNT));
      const w = bound(sizeVar(target, WEIGHT));
      const over = tooLarge(n, w, limits);
      if (over) problems.push({ at: step.at, message: `${describe(step.what)} ${over}` });
      const run = Math.max(n.run, w.run);
      if (!over && run > 0 && this.#persistent(target)) {
        kept += run;
        if (!largest || run > largest.run) largest = { at: step.at, run };
      }
    }
    if (largest && kept > limits.maxGrowthPerRun) {
      problems.push({
        at: largest.at,
        message: `the members this spell keeps can grow by ${count(kept)} in all each time it ` +
          `runs (this one by ${count(largest.run)}); the most is ${limits.maxGrowthPerRun} ` +
          `together (on_tick runs every frame): keep less in members`,
      });
    }
    for (const check of this.#checks) {
      const over = tooLarge(evaluate(check.size.n, bound), evaluate(check.size.w, bound), limits);
      if (over) problems.push({ at: check.at, message: `${check.what} ${over}` });
    }
  }

  #workProblems(
    order: number[],
    callsFrom: CallSite[][],
    factor: (f: Factor) => number,
    limits: BudgetLimits,
    sizeBound: (v: number) => Bound,
    problems: BudgetProblem[],
    scans: boolean,
  ): void {
    const perRoot = this.#perRoot(order, callsFrom, factor);
    const loopsIn = new Map<number, LoopSite[]>();
    for (const loop of this.#loops) {
      const list = loopsIn.get(loop.fn) ?? [];
      list.push(loop);
      loopsIn.set(loop.fn, list);
    }
    let growingLoops = false;
    for (const loop of this.#loops) {
      if (loop.trips && "cell" in loop.trips) {
        const b = sizeBound(sizeVar(loop.trips.cell, COUNT));
        if (b.run > 0) {
          growingLoops = true;
          problems.push({
            at: loop.at,
            message: "this loop walks a collection kept in a member that grows each time the " +
              "spell runs, so it has no bound: keep the collection for one cast (a local " +
              "variable), or walk range(mini(x.size(), N))",
          });
        }
      }
    }
    for (const root of this.#roots) {
      const runs = perRoot.get(root.fn)!;
      let work = 0;
      const totals: Record<Charge, number> = { work: 0, objects: 0, prints: 0 };
      let biggest: { at: Span; work: number } | null = null;
      for (const loop of this.#loops) {
        const n = runs[loop.fn]!;
        if (n === 0) continue;
        const w = n * scopeValue(loop.scope, factor) * factor(loop.trips);
        work += w;
        if (!biggest || w > biggest.work) biggest = { at: loop.at, work: w };
      }
      for (const call of this.#calls) {
        const n = runs[call.fn]!;
        if (n === 0) continue;
        const w = n * scopeValue(call.scope, factor) * (call.times ? factor(call.times) : 1);
        work += w;
        if (!biggest || w > biggest.work) biggest = { at: call.at, work: w };
      }
      for (const scan of scans ? this.#scans : []) {
        const n = runs[scan.fn]!;
        if (n === 0) continue;
        const chars = evaluate(scan.size, sizeBound);
        // What a member gains each run is bounded elsewhere; a run scans what it holds now.
        const w = n * scopeValue(scan.scope, factor) * chars.fin / limits.charsPerWork;
        work += w;
        if (!biggest || w > biggest.work) biggest = { at: scan.at, work: w };
      }
      let printed = 0;
      for (const site of this.#charges) {
        const n = runs[site.fn]!;
        if (n === 0) continue;
        const times = n * scopeValue(site.scope, factor);
        totals[site.charge] += times;
        if (site.text) printed += times * evaluate(site.text, sizeBound).fin;
      }
      work += totals.work;
      const where = biggest ? ` (the most at line ${biggest.at.line})` : "";
      const tick = root.name === "on_tick";
      const maxObjects = tick ? limits.maxObjectsPerFrame : limits.maxObjects;
      const maxPrints = tick ? limits.maxPrintsPerFrame : limits.maxPrints;
      const maxPrinted = tick ? limits.maxPrintedPerFrame : limits.maxPrintedPerRun;
      const per = tick ? "one frame" : "one run";
      const often = tick ? " (on_tick runs every frame, for every cast still active)" : "";
      // A loop over a growing member was reported where it is.
      if (work > limits.maxWork && !(growingLoops && work === Infinity)) {
        problems.push({
          at: root.at,
          message:
            `${root.name} can cause ${
              Number.isFinite(work) ? count(work) : "unbounded"
            } loop iterations and calls in one run, ` +
            `counting the functions it calls and the callbacks it hands to the engine${where}; ` +
            `the most is ${limits.maxWork} (SPELL_MAX_ITERATIONS)`,
        });
      }
      if (totals.objects > maxObjects && !(growingLoops && totals.objects === Infinity)) {
        problems.push({
          at: root.at,
          message: `${root.name} can create ${count(totals.objects)} nodes, timers, tweens, ` +
            `effects and sounds in ${per}; the most is ${maxObjects}${often}`,
        });
      }
      if (totals.prints > maxPrints && !(growingLoops && totals.prints === Infinity)) {
        problems.push({
          at: root.at,
          message: `${root.name} can print ${count(totals.prints)} lines in ${per} (world ` +
            `calls print too); the most is ${maxPrints}${often}`,
        });
      }
      if (
        totals.prints <= maxPrints && printed > maxPrinted &&
        !(growingLoops && printed === Infinity)
      ) {
        problems.push({
          at: root.at,
          message: `${root.name} can print ${count(printed)} characters in ${per} (world ` +
            `calls print too); the most is ${maxPrinted} in all${often}`,
        });
      }
    }
    for (const site of this.#charges) {
      if (!site.text) continue;
      const chars = evaluate(site.text, sizeBound);
      if (chars.fin > limits.maxPrintChars || chars.run > limits.maxGrowthPerRun) {
        problems.push({
          at: site.at,
          message: `this can print ${
            chars.run > 0 ? "more every time the spell runs" : `${count(chars.fin)} characters`
          }; the most is ${limits.maxPrintChars}`,
        });
      }
    }
  }
}

/** Why a value with these bounds is too large, or null. */
function tooLarge(n: Bound, w: Bound, limits: BudgetLimits): string | null {
  const fin = Math.max(n.fin, w.fin);
  const run = Math.max(n.run, w.run);
  if (fin > limits.maxValueSize) {
    return `can ${
      Number.isFinite(fin) ? `reach ${count(fin)} characters or elements` : "grow without bound"
    } (the most is ${limits.maxValueSize}): it is built by repeating, joining or appending ` +
      `values that are large themselves, or inside loops`;
  }
  if (run > limits.maxGrowthPerRun) {
    return `can grow by ${count(run)} each time the spell runs, with a member that keeps ` +
      `growing (the most is ${limits.maxGrowthPerRun} per run)`;
  }
  return null;
}

function count(n: number): string {
  if (!Number.isFinite(n)) return "without bound";
  return n >= 1e6 ? n.toExponential(1).replace("e+", "e") : String(Math.ceil(n));
}

function normalize(poly: Poly, norm: (v: number) => number): Poly {
  return poly.map((term): Term => ({ k: term.k, vars: term.vars.map(norm) }));
}

function factorValue(f: Factor, bound: (v: number) => Bound): number {
  if ("k" in f) return f.k;
  const cell = "cell" in f ? f.cell : f.sort;
  const b = bound(sizeVar(cell, COUNT));
  if (b.run > 0) return Infinity;
  if ("cell" in f) return b.fin;
  const n = b.fin;
  return n <= 1 ? n : n * Math.ceil(Math.log2(n)) + n;
}

function scopeValue(scope: Scope, factor: (f: Factor) => number): number {
  let n = 1;
  for (let s = scope; s; s = s.up) n *= factor(s.factor);
  return n;
}

function maxRuns(
  perRoot: Map<number, Float64Array>,
  fn: number,
  scope: Scope,
  factor: (f: Factor) => number,
): number {
  let most = 0;
  for (const runs of perRoot.values()) most = Math.max(most, runs[fn]!);
  return most === 0 ? 0 : most * scopeValue(scope, factor);
}

function plus(a: Bound, b: Bound): Bound {
  return { fin: a.fin + b.fin, run: a.run + b.run };
}

function maxBound(a: Bound, b: Bound): Bound {
  return { fin: Math.max(a.fin, b.fin), run: Math.max(a.run, b.run) };
}

function scaleBound(a: Bound, k: number): Bound {
  if (k === 0) return ZERO;
  return { fin: a.fin * k, run: a.run * k };
}

function sameBound(a: Bound, b: Bound | undefined): boolean {
  return b !== undefined && a.fin === b.fin && a.run === b.run;
}

function sameBounds(a: Map<number, Bound>, b: Map<number, Bound>): boolean {
  if (a.size !== b.size) return false;
  for (const [v, x] of a) if (!sameBound(x, b.get(v))) return false;
  return true;
}

function sameRuns(a: Map<Step, number>, b: Map<Step, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [s, x] of a) if (b.get(s) !== x) return false;
  return true;
}

/** Functions in an order where every caller comes before what it calls; null on a cycle. */
function topological(n: number, callsFrom: CallSite[][]): number[] | null {
  const indegree = new Int32Array(n);
  for (const calls of callsFrom) for (const call of calls) indegree[call.to]!++;
  const ready: number[] = [];
  for (let i = 0; i < n; i++) if (indegree[i] === 0) ready.push(i);
  const order: number[] = [];
  while (ready.length > 0) {
    const fn = ready.pop()!;
    order.push(fn);
    for (const call of callsFrom[fn]!) if (--indegree[call.to]! === 0) ready.push(call.to);
  }
  return order.length === n ? order : null;
}
