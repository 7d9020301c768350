/**
 * Godot's static typing rules, for the subset: which value types a typed slot accepts, which
 * operators Godot's analyzer accepts, which casts it allows, and whether a block returns on every
 * path. Godot refuses to compile a script that breaks them, on every client (a denial of service
 * the server would distribute), and its release builds trust a typed slot without checking it at
 * run time (a type confusion), so the verifier applies them before Godot does.
 *
 * @module
 */

import type { Statement } from "../parser/ast.ts";
import { API, type Ty } from "./types.ts";

/** Whether `name` is an engine object class (not a built-in value type). */
export function isObjectClass(name: string): boolean {
  return API.classes.get(name)?.kind === "object";
}

/** Implicit conversions Godot's analyzer accepts between built-in types. */
function converts(from: string, to: string): boolean {
  if (from === to) return true;
  const numbers = ["int", "float"];
  if (numbers.includes(from) && numbers.includes(to)) return true;
  const vectors = ["Vector3", "Vector3i"];
  return vectors.includes(from) && vectors.includes(to);
}

/**
 * Whether Godot's analyzer accepts a value of known type `value` where `target` is expected (a
 * typed variable, a parameter, a return): the same type, a subclass, an implicit number or vector
 * conversion, null for an object. Unknown values are for the caller to decide.
 */
export function compatible(value: Ty, target: Ty): boolean {
  if (target.t === "variant") return true;
  if (target.t !== "class") return false;
  if (value.t === "none") return isObjectClass(target.name);
  if (value.t !== "class") return false;
  if (isObjectClass(target.name)) {
    return isObjectClass(value.name) && API.inherits(value.name, target.name);
  }
  if (isObjectClass(value.name)) return false;
  if (!converts(value.name, target.name)) return false;
  // Array[T] takes Array[T] (or an untyped array, checked when it runs); Array takes any array.
  if (target.elem && value.elem) return sameElement(value.elem, target.elem);
  return true;
}

function sameElement(a: Ty, b: Ty): boolean {
  if (a.t !== b.t) return false;
  if (a.t !== "class" || b.t !== "class") return a.t === b.t;
  return a.name === b.name;
}

/** Whether a value of type `from` may be cast `as` type `to` (Godot refuses other casts). */
export function castable(from: Ty, to: Ty): boolean {
  if (from.t !== "class" || to.t !== "class") return true;
  if (isObjectClass(from.name) || isObjectClass(to.name)) {
    return isObjectClass(from.name) && isObjectClass(to.name) &&
      (API.inherits(from.name, to.name) || API.inherits(to.name, from.name));
  }
  return converts(from.name, to.name);
}

const ORDERED = new Set(["int", "float", "String", "Vector2", "Vector3", "Vector3i"]);

/**
 * Whether Godot's analyzer accepts a comparison of two values of known types (`1 == "a"` does not
 * compile).
 */
export function comparable(op: string, left: Ty, right: Ty): boolean {
  if (left.t !== "class" || right.t !== "class") return true;
  const l = left.name;
  const r = right.name;
  const numbers = ["int", "float"];
  if (numbers.includes(l) && numbers.includes(r)) return true;
  if (op === "==" || op === "!=") {
    return l === r || (isObjectClass(l) && isObjectClass(r));
  }
  return l === r && ORDERED.has(l);
}

/**
 * Whether every path through `body` ends in a `return` (Godot's "Not all code paths return a
 * value"): a return, an if/elif/else whose every branch returns, or a match with a `_` branch
 * whose every branch returns. Loops never count: their body may not run.
 */
export function alwaysReturns(body: readonly Statement[]): boolean {
  return body.some((s) => {
    switch (s.kind) {
      case "return":
        return true;
      case "if":
        return s.elseBody !== null && alwaysReturns(s.body) &&
          s.elifs.every((branch) => alwaysReturns(branch.body)) && alwaysReturns(s.elseBody);
      case "match":
        return s.branches.some((branch) =>
          branch.patterns.some((p) => p.kind === "pattern_wildcard")
        ) && s.branches.every((branch) => alwaysReturns(branch.body));
      default:
        return false;
    }
  });
}
