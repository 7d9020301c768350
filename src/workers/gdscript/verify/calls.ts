/**
 * Termination through calls: the spell's functions and lambdas, what each may run, and the
 * cycles (recursion) among them.
 *
 * A function *may run* another when it calls it, names it as a value (`timer.timeout.connect(f)`),
 * defines a lambda, or passes on a callable that may hold one (`arr.map(cb)` where `cb` was given a
 * lambda anywhere in the spell). Spells cannot call a callable themselves (no `.call()`), so every
 * run goes through one of those, and every cycle is refused, even one through a signal or a
 * tween: a callback that re-arms itself can multiply without end.
 *
 * @module
 */

import type { Span } from "../parser/ast.ts";
import { components } from "./graphs.ts";

interface Edge {
  readonly to: number;
  readonly offset: number;
  readonly at: Span;
}

/** Functions and lambdas, and which may run which. */
export class CallGraph {
  readonly names: string[] = [];
  #edges: Edge[][] = [];

  /** A function or lambda; returns its id. */
  add(name: string): number {
    this.names.push(name);
    this.#edges.push([]);
    return this.names.length - 1;
  }

  get size(): number {
    return this.names.length;
  }

  edge(from: number, to: number, at: Span): void {
    this.#edges[from]!.push({ to, offset: at.start, at });
  }

  calls(from: number): readonly Edge[] {
    return this.#edges[from] ?? [];
  }

  /** One problem per cycle, at its earliest call site. */
  cycles(): { at: Span; message: string }[] {
    const graph = new Map<number, Set<number>>();
    this.#edges.forEach((edges, from) => graph.set(from, new Set(edges.map((e) => e.to))));
    const component = components(this.size, graph);
    const reported = new Set<number>();
    const problems: { at: Span; message: string }[] = [];
    const cyclic: { from: number; edge: Edge }[] = [];
    this.#edges.forEach((edges, from) => {
      for (const edge of edges) {
        if (component[from] === component[edge.to]) cyclic.push({ from, edge });
      }
    });
    cyclic.sort((a, b) => a.edge.offset - b.edge.offset);
    for (const { from, edge } of cyclic) {
      const id = component[from]!;
      if (reported.has(id)) continue;
      reported.add(id);
      problems.push({
        at: edge.at,
        message: `recursion: ${this.#describe(from, edge.to, id, component)}; a spell may not ` +
          `run a function or lambda from itself (directly, through others, or through callbacks)`,
      });
    }
    return problems;
  }

  /** `a runs b, which runs a`: the shortest way back from `to` to `from`. */
  #describe(from: number, to: number, id: number, component: Int32Array): string {
    const path = [from, to];
    const seen = new Set([to]);
    let frontier: number[][] = [[to]];
    while (to !== from && frontier.length > 0) {
      const next: number[][] = [];
      for (const route of frontier) {
        for (const edge of this.calls(route[route.length - 1]!)) {
          if (component[edge.to] !== id || seen.has(edge.to)) continue;
          if (edge.to === from) {
            path.splice(1, path.length - 1, ...route, from);
            return this.#words(path);
          }
          seen.add(edge.to);
          next.push([...route, edge.to]);
        }
      }
      frontier = next;
    }
    return this.#words(path);
  }

  #words(path: number[]): string {
    const names = path.map((id) => this.names[id]!);
    if (names.length === 2 && path[0] === path[1]) return `${names[0]} runs itself`;
    return names.slice(0, -1).map((name, i) => `${name} runs ${names[i + 1]}`).join(", ");
  }
}

/** Where a callable value may come from. */
export interface CallableSources {
  /** Functions and lambdas it may be. */
  readonly fns: readonly number[];
  /** Variables, parameters and function results it may have been read from. */
  readonly nodes: readonly number[];
  /** It may come from outside the spell (a dictionary, an array, an unknown value). */
  readonly unknown: boolean;
}

export const NO_CALLABLES: CallableSources = { fns: [], nodes: [], unknown: false };

/**
 * Which functions and lambdas each variable, parameter and function result may hold, solved over
 * every assignment in the spell (flow-insensitive).
 */
export class CallableFlows {
  /** Per node, created on first use: most variables never hold a callable. */
  #refs: (number[] | undefined)[] = [];
  #fns: (Set<number> | undefined)[] = [];
  #unknown: boolean[] = [];
  #solved = false;

  node(): number {
    this.#unknown.push(false);
    return this.#unknown.length - 1;
  }

  /** `sources` flow into `node`. */
  add(node: number, sources: CallableSources): void {
    if (sources.fns.length > 0) {
      const fns = this.#fns[node] ??= new Set();
      for (const fn of sources.fns) fns.add(fn);
    }
    if (sources.nodes.length > 0) (this.#refs[node] ??= []).push(...sources.nodes);
    if (sources.unknown) this.#unknown[node] = true;
    this.#solved = false;
  }

  /** Everything `sources` may be, once every flow has been added. */
  resolve(sources: CallableSources): { fns: Iterable<number>; unknown: boolean } {
    if (sources.nodes.length === 0) return sources;
    if (!this.#solved) this.#solve();
    const fns = new Set(sources.fns);
    let unknown = sources.unknown;
    for (const node of sources.nodes) {
      for (const fn of this.#fns[node] ?? []) fns.add(fn);
      unknown ||= this.#unknown[node]!;
    }
    return { fns, unknown };
  }

  #solve(): void {
    const n = this.#unknown.length;
    const graph = new Map<number, Set<number>>();
    this.#refs.forEach((refs, node) => {
      if (refs) graph.set(node, new Set(refs));
    });
    const component = components(n, graph);
    // Tarjan numbers components sinks first: what a node reads from is solved before it.
    const byComponent = new Map<number, number[]>();
    for (const node of graph.keys()) {
      const list = byComponent.get(component[node]!) ?? [];
      list.push(node);
      byComponent.set(component[node]!, list);
    }
    const ids = [...byComponent.keys()].sort((a, b) => a - b);
    for (const id of ids) {
      const members = byComponent.get(id)!;
      const fns = new Set<number>();
      let unknown = false;
      for (const node of members) {
        for (const fn of this.#fns[node] ?? []) fns.add(fn);
        unknown ||= this.#unknown[node]!;
        for (const ref of this.#refs[node] ?? []) {
          for (const fn of this.#fns[ref] ?? []) fns.add(fn);
          unknown ||= this.#unknown[ref]!;
        }
      }
      for (const node of members) {
        this.#fns[node] = fns;
        this.#unknown[node] = unknown;
      }
    }
    this.#solved = true;
  }
}
