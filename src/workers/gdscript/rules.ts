/**
 * Rules on the top-level statements of a spell script: `extends SpellModule` first, the engine
 * callbacks' exact signatures, a usable `_init`, and no function defined twice.
 *
 * @module
 */

import type { Violation } from "./denylist.ts";
import type { Statement } from "./outline.ts";
import { type FuncDecl, parseFuncDecl } from "./signature.ts";

/** Callbacks the engine calls on a SpellModule, with their parameter names and types. */
const CALLBACKS: Readonly<Record<string, readonly (readonly [string, string])[]>> = {
  on_cast: [["ctx", "SpellContext"]],
  on_tick: [["ctx", "SpellContext"], ["dt", "float"]],
  on_cancel: [["ctx", "SpellContext"]],
  on_event: [["ctx", "SpellContext"], ["event", "Dictionary"]],
};

/** The declaration every spell must contain, as shown in messages. */
export const ON_CAST = expectedDeclaration("on_cast");

/** Result of {@linkcode checkTopLevel}. */
export interface TopLevelReport {
  /** First violation among the top-level statements, in source order. */
  readonly violation: Violation | null;
  /** Whether a top-level `func on_cast` exists (correct or not). */
  readonly hasOnCast: boolean;
}

/** Checks the top-level statements; nested blocks (inner classes, bodies) are not looked at. */
export function checkTopLevel(statements: readonly Statement[]): TopLevelReport {
  const seen = new Set<string>();
  let violation: Violation | null = null;
  statements.forEach((stmt, index) => {
    violation ??= checkExtends(stmt, index);
    const decl = parseFuncDecl(stmt);
    if (!decl) return;
    violation ??= seen.has(decl.name)
      ? { line: decl.line, message: `func ${decl.name} is defined twice` }
      : checkFunc(decl);
    seen.add(decl.name);
  });
  return { violation, hasOnCast: seen.has("on_cast") };
}

function checkExtends(stmt: Statement, index: number): Violation | null {
  const [first, second, ...rest] = stmt.tokens;
  const isExtends = first?.kind === "ident" && first.text === "extends";
  if (index > 0) {
    return isExtends
      ? { line: stmt.line, message: "extends may appear only once, as the first statement" }
      : null;
  }
  if (!isExtends) {
    return { line: stmt.line, message: "extends SpellModule must be the first statement" };
  }
  if (second?.kind === "ident" && second.text === "SpellModule" && rest.length === 0) return null;
  const found = stmt.tokens.slice(1).map((t) => t.text).join("");
  return {
    line: stmt.line,
    message: `spell scripts must extend SpellModule, not ${found || "nothing"}`,
  };
}

function checkFunc(decl: FuncDecl): Violation | null {
  const fail = (message: string): Violation => ({ line: decl.line, message });
  const expected = CALLBACKS[decl.name];
  if (expected) {
    if (decl.isStatic) return fail(`${decl.name} must not be static`);
    if (decl.params.some((p) => p.hasDefault)) {
      return fail(`${decl.name} parameters must not have default values`);
    }
    return matchesCallback(decl, expected)
      ? null
      : fail(`${decl.name} must be declared as ${expectedDeclaration(decl.name)}`);
  }
  if (!decl.wellFormed) return fail(`invalid declaration of func ${decl.name}`);
  if (decl.name === "_init" && decl.params.some((p) => !p.hasDefault)) {
    return fail(
      "_init parameters must all have default values (spells are created without arguments)",
    );
  }
  return null;
}

function matchesCallback(
  decl: FuncDecl,
  expected: readonly (readonly [string, string])[],
): boolean {
  return decl.wellFormed && decl.returnType === "void" && decl.params.length === expected.length &&
    decl.params.every((p, i) => !p.variadic && p.type === expected[i]?.[1]);
}

function expectedDeclaration(name: string): string {
  const params = (CALLBACKS[name] ?? []).map(([param, type]) => `${param}: ${type}`).join(", ");
  return `func ${name}(${params}) -> void`;
}
