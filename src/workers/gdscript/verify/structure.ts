/**
 * The shape of a spell: `extends SpellModule` first, the engine callbacks' exact signatures, an
 * `_init` the client can call without arguments, each name declared once, and no `class_name`,
 * inner classes or signals. Each member is then handed to the checker.
 *
 * @module
 */

import type { CallbackSpec } from "../api/types.ts";
import type { ClassMember, FuncDecl, Script } from "../parser/ast.ts";
import type { Checker } from "./checker.ts";
import type { Program } from "./model.ts";
import { API } from "./types.ts";

const CALLBACKS = new Map(API.api.callbacks.map((spec) => [spec.name, spec]));

/** The declaration of a callback as shown in messages. */
export function callbackDeclaration(spec: CallbackSpec): string {
  return `func ${spec.name}(${spec.params.map(([n, t]) => `${n}: ${t}`).join(", ")}) -> void`;
}

const ON_CAST = callbackDeclaration(CALLBACKS.get("on_cast")!);

export function checkStructure(script: Script, program: Program, checker: Checker): void {
  for (const annotation of script.annotations) checker.annotation(annotation);
  if (script.className) {
    checker.report(
      script.className,
      "class_name is not part of SpellScript: a spell may not declare a global class",
    );
  }
  checkExtends(script, checker);
  for (const { name, at } of program.duplicates) {
    const isFunc = program.members.get(name)?.k === "func";
    checker.report(at, isFunc ? `func ${name} is defined twice` : `${name} is declared twice`);
  }
  for (const member of script.body) checkMember(member, checker);
  const onCast = program.members.get("on_cast");
  if (onCast?.k !== "func") {
    checker.report({ line: 1, col: 1, start: 0, end: 0 }, `missing ${ON_CAST}`);
  }
}

function checkExtends(script: Script, checker: Checker): void {
  const ext = script.extends;
  const firstOther = [script.className, ...script.annotations, ...script.body]
    .filter((node) => node !== null)
    .sort((a, b) => a.start - b.start)[0];
  if (!ext) {
    checker.report(firstOther ?? script, "extends SpellModule must be the first statement");
    return;
  }
  if (firstOther && firstOther.start < ext.start) {
    checker.report(firstOther, "extends SpellModule must be the first statement");
  }
  const chain = ext.chain.map((name) => name.name).join(".");
  if (ext.path || chain !== API.api.base) {
    const found = ext.path ? JSON.stringify(ext.path.value) + (chain ? `.${chain}` : "") : chain;
    checker.report(ext, `spell scripts must extend ${API.api.base}, not ${found || "nothing"}`);
  }
}

function checkMember(member: ClassMember, checker: Checker): void {
  switch (member.kind) {
    case "var":
      checker.memberVar(member);
      break;
    case "const":
      checker.memberConst(member);
      break;
    case "enum":
      checker.annotations(member.annotations);
      if (member.name) checker.declaredName(member.name);
      for (const value of member.values) checker.enumValue(value.name, value.value);
      break;
    case "func":
      checkSignature(member, checker);
      checker.func(member);
      break;
    case "signal":
      checker.report(
        member,
        "signal declarations are not part of SpellScript (emitting one runs its callables at " +
          "once): use the signals of Timer and Tween",
      );
      break;
    case "class":
      checker.report(
        member,
        "inner classes are not part of SpellScript: use functions, dictionaries and enums",
      );
      break;
    case "annotation":
      checker.annotation(member);
      break;
  }
}

function checkSignature(decl: FuncDecl, checker: Checker): void {
  const name = decl.name.name;
  const spec = CALLBACKS.get(name);
  if (spec) {
    if (decl.isStatic) checker.report(decl, `${name} must not be static`);
    else if (decl.params.some((p) => p.default)) {
      checker.report(decl, `${name} parameters must not have default values`);
    } else if (!matches(decl, spec)) {
      checker.report(decl, `${name} must be declared as ${callbackDeclaration(spec)}`);
    }
    return;
  }
  if (name === "_init" && decl.params.some((p) => !p.default)) {
    checker.report(
      decl,
      "_init parameters must all have default values (spells are created without arguments)",
    );
  }
}

function matches(decl: FuncDecl, spec: CallbackSpec): boolean {
  if (decl.restParam || !decl.returnType?.isVoid) return false;
  if (decl.params.length !== spec.params.length) return false;
  return decl.params.every((param, i) => {
    const type = param.type;
    return type !== null && !param.inferred && type.elementTypes.length === 0 &&
      type.chain.length === 1 && type.chain[0]!.name === spec.params[i]![1];
  });
}
