/**
 * The depth limit: how deeply a spell's code may nest, counted without recursion before anything
 * else walks the tree.
 *
 * The parser bounds the nesting it recurses on (brackets, blocks, prefix operators), but it builds
 * a chain of left-associative operators (`1 + 1 + … + 1`, `a and b and …`, `x.f().g()…`) in a
 * loop: 20,000 terms make a tree 20,000 levels deep. Every later walk over the tree (ours, and
 * Godot's parser, analyzer and compiler on each client) recurses on that depth; Godot's overflows
 * its stack a little under 5,000 levels, ours depended on how warm the JavaScript engine was. So a
 * spell whose tree is deeper than {@linkcode MAX_CODE_DEPTH} is refused here, by an iterative walk:
 * the verdict is the same on every run. Godot parses `elif` as an `if` nested in the `else`, so each
 * `elif` of a chain counts as one more level too.
 *
 * @module
 */

import type { Node, Script, Span } from "../parser/ast.ts";

/**
 * Most levels of nesting a spell's code may have: blocks, operators of a chain, calls, brackets and
 * `elif`s together. Realistic spells stay below 30.
 */
export const MAX_CODE_DEPTH = 100;

/** Node kinds that are parts of an expression (a deep one is reported at its statement). */
const EXPRESSION_KINDS = new Set([
  "identifier",
  "number",
  "string",
  "bool",
  "null",
  "self",
  "super",
  "unary",
  "binary",
  "type_test",
  "cast",
  "ternary",
  "assignment",
  "await",
  "call",
  "subscript",
  "attribute",
  "array",
  "dictionary",
  "get_node",
  "preload",
]);

/**
 * The statement (or declaration) holding the first node past the limit, with the message to show;
 * null when the tree is within it.
 */
export function tooDeep(script: Script): { at: Span; message: string } | null {
  // Three parallel stacks: no tuple per node.
  const nodes: Node[] = [script];
  const depths: number[] = [0];
  const statements: Node[] = [script];
  let first: Span | null = null;
  while (nodes.length > 0) {
    const node = nodes.pop()!;
    const depth = depths.pop()!;
    const statement = statements.pop()!;
    if (depth > MAX_CODE_DEPTH) {
      const at = (EXPRESSION_KINDS.has(node.kind) ? statement : node) as Span;
      if (!first || at.start < first.start) first = at;
      continue;
    }
    // Godot nests each elif inside the previous one's else, and the else under the last elif.
    const elifs = node.kind === "if" ? node.elifs.length : 0;
    const anchor = EXPRESSION_KINDS.has(node.kind) ? statement : node;
    const fields = node as unknown as Record<string, unknown>;
    for (const key of childKeys(node)) {
      const value = fields[key];
      if (typeof value !== "object" || value === null) continue;
      if (Array.isArray(value)) {
        const extra = key === "elseBody" ? elifs : 0;
        const step = key === "elifs" ? 1 : 0;
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          if (isNode(item)) {
            nodes.push(item);
            depths.push(depth + 1 + extra + step * i);
            statements.push(anchor);
          }
        }
      } else if (isNode(value)) {
        nodes.push(value);
        depths.push(depth + 1);
        statements.push(anchor);
      }
    }
  }
  if (!first) return null;
  return {
    at: first,
    message: `this code is nested too deeply (more than ${MAX_CODE_DEPTH} levels of blocks, ` +
      `chained operators, calls, brackets and elif branches): split long chains such as ` +
      `a + b + c + … into several variables, and long elif chains into a match or a dictionary`,
  };
}

/** The fields of each kind of node that may hold children (every node of a kind has the same). */
const CHILD_KEYS = new Map<string, string[]>();
const SCALAR_KEYS = new Set(["kind", "line", "col", "start", "end"]);

function childKeys(node: Node): string[] {
  let keys = CHILD_KEYS.get(node.kind);
  if (!keys) {
    keys = Object.keys(node).filter((key) => !SCALAR_KEYS.has(key));
    CHILD_KEYS.set(node.kind, keys);
  }
  return keys;
}

function isNode(value: unknown): value is Node {
  return typeof value === "object" && value !== null &&
    typeof (value as { kind?: unknown }).kind === "string";
}
