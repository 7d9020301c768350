/**
 * The two graph algorithms the verifier needs: union-find (values that may be the same object)
 * and strongly connected components (recursion, and sizes that feed back into themselves).
 *
 * @module
 */

/** Disjoint sets over small integer ids, with path halving. */
export class UnionFind {
  #parent: number[] = [];

  /** A new singleton set; returns its id. */
  add(): number {
    this.#parent.push(this.#parent.length);
    return this.#parent.length - 1;
  }

  find(x: number): number {
    const parent = this.#parent;
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]!]!;
      x = parent[x]!;
    }
    return x;
  }

  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.#parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }

  get size(): number {
    return this.#parent.length;
  }
}

/**
 * Strongly connected components of a directed graph over `0 … n-1` (Tarjan, iterative so deep
 * graphs cannot overflow the stack). Returns the component id of each node.
 */
export function components(n: number, edges: ReadonlyMap<number, ReadonlySet<number>>): Int32Array {
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const component = new Int32Array(n).fill(-1);
  const stack: number[] = [];
  let counter = 0;
  let componentCount = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    if (!edges.get(root)?.size) {
      // No way out: its own component (most nodes of the verifier's graphs are like this).
      index[root] = low[root] = counter++;
      component[root] = componentCount++;
      continue;
    }
    const work: [number, number[] | undefined, number][] = [[root, undefined, 0]];
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const [node] = frame;
      if (frame[1] === undefined) {
        index[node] = low[node] = counter++;
        stack.push(node);
        onStack[node] = 1;
        frame[1] = [...(edges.get(node) ?? [])];
      }
      const next = frame[1];
      if (frame[2] < next.length) {
        const to = next[frame[2]++]!;
        if (index[to] === -1) work.push([to, undefined, 0]);
        else if (onStack[to]) low[node] = Math.min(low[node]!, index[to]!);
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low[parent[0]] = Math.min(low[parent[0]]!, low[node]!);
      if (low[node] === index[node]) {
        let member: number;
        do {
          member = stack.pop()!;
          onStack[member] = 0;
          component[member] = componentCount;
        } while (member !== node);
        componentCount++;
      }
    }
  }
  return component;
}
