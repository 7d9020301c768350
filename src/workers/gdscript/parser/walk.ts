/**
 * Generic traversal of the AST: every node is an object with a string `kind`, and every child is
 * either such an object or an array of them, so one loop over a node's fields finds all children.
 * New node fields are therefore visited without changes here.
 *
 * @module
 */

import type { Node } from "./ast.ts";

/**
 * Calls `visit` on `root` and every node below it, parents before children, in source order
 * within each field. If `visit` returns `false`, the node's children are skipped.
 */
export function walk(root: Node, visit: (node: Node, parent: Node | null) => boolean | void): void {
  // An explicit stack: the tree is at most MAX_NESTING_DEPTH deep, but the walk needs no recursion.
  const stack: [Node, Node | null][] = [[root, null]];
  while (stack.length > 0) {
    const [node, parent] = stack.pop()!;
    if (visit(node, parent) === false) continue;
    const children: Node[] = [];
    for (const value of Object.values(node)) {
      if (Array.isArray(value)) {
        for (const item of value) if (isNode(item)) children.push(item);
      } else if (isNode(value)) {
        children.push(value);
      }
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push([children[i]!, node]);
  }
}

function isNode(value: unknown): value is Node {
  return typeof value === "object" && value !== null &&
    typeof (value as { kind?: unknown }).kind === "string";
}
