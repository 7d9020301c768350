/**
 * Flow-insensitive type inference. A variable with a written type has it (Godot checks every
 * assignment at run time); `:=` and constants take their initializer's type; an untyped variable
 * has the join of everything ever assigned to it anywhere, so one assignment of something else makes
 * it `Variant`. Untyped parameters and untyped function results are `Variant`.
 *
 * @module
 */

import type { MethodSpec } from "../api/types.ts";
import type { CallExpression, Expression } from "../parser/ast.ts";
import { typeOfRef } from "./binder.ts";
import type { Program } from "./model.ts";
import {
  API,
  apiType,
  ARRAY,
  binaryType,
  BOOL,
  CALLABLE,
  cls,
  DICTIONARY,
  elementOf,
  FLOAT,
  INT,
  join,
  NONE,
  sameTy,
  SELF,
  SIGNAL,
  STRING,
  type Ty,
  VARIANT,
  VOID,
} from "./types.ts";

/** Rounds of the fixpoint before the remaining unsettled variables are given up as Variant. */
const MAX_ROUNDS = 12;

export class Typer {
  #program: Program | undefined;
  #memo = new Map<Expression, Ty>();
  #memoize = false;

  /** Set once the binder is done (the binder needs `typeOf` before the program exists). */
  set program(program: Program) {
    this.#program = program;
  }

  get #p(): Program {
    return this.#program!;
  }

  /** Solves every binding's type, then freezes (memoizes) expression types. */
  solve(): void {
    const open = this.#p.bindings.filter((b) => !b.declared);
    let settled = false;
    for (let round = 0; round < MAX_ROUNDS && !settled; round++) {
      this.#memo.clear();
      settled = true;
      for (const binding of open) {
        let ty: Ty = NONE;
        if (binding.fixedBy) ty = this.typeOf(binding.fixedBy);
        else for (const source of binding.sources) ty = join(ty, source());
        if (!sameTy(ty, binding.ty)) {
          binding.ty = ty;
          settled = false;
        }
      }
    }
    if (!settled) {
      // Not settled: whatever still changes could be anything.
      this.#memo.clear();
      for (const binding of open) {
        let ty: Ty = NONE;
        if (binding.fixedBy) ty = this.typeOf(binding.fixedBy);
        else for (const source of binding.sources) ty = join(ty, source());
        if (!sameTy(ty, binding.ty)) binding.ty = VARIANT;
      }
    }
    this.#memo.clear();
    this.#memoize = true;
  }

  typeOf(e: Expression): Ty {
    if (!this.#memoize) return this.#compute(e);
    let ty = this.#memo.get(e);
    if (ty === undefined) this.#memo.set(e, ty = this.#compute(e));
    return ty;
  }

  #compute(e: Expression): Ty {
    switch (e.kind) {
      case "identifier":
        return this.#identifier(e);
      case "number":
        return e.isInt ? INT : FLOAT;
      case "string":
        return e.stringKind === "node_path" ? VARIANT : STRING;
      case "bool":
        return BOOL;
      case "null":
        return NONE;
      case "self":
        return SELF;
      case "unary":
        if (e.op === "not") return BOOL;
        if (e.op === "~") return INT;
        return this.typeOf(e.operand);
      case "binary":
        return binaryType(e.op, this.typeOf(e.left), this.typeOf(e.right));
      case "type_test":
        return BOOL;
      case "cast":
        return typeOfRef(e.type, this.#p.members);
      case "ternary":
        return join(this.typeOf(e.whenTrue), this.typeOf(e.whenFalse));
      case "assignment":
        return VOID;
      case "await":
        return e.operand.kind === "call" ? this.typeOf(e.operand) : VARIANT;
      case "call":
        return this.#call(e);
      case "subscript": {
        const base = this.typeOf(e.base);
        return base.t === "class" && API.classes.get(base.name)?.index ? elementOf(base) : VARIANT;
      }
      case "attribute":
        return this.#attribute(this.typeOf(e.base), e.member.name, e.base);
      case "array":
        return ARRAY;
      case "dictionary":
        return DICTIONARY;
      case "lambda":
        return CALLABLE;
      default:
        return VARIANT;
    }
  }

  #identifier(e: Expression & { kind: "identifier" }): Ty {
    const resolved = this.#p.resolved.get(e);
    switch (resolved?.k) {
      case "binding":
        return resolved.b.ty;
      case "func":
      case "base_method":
        return CALLABLE;
      case "enum":
        return { t: "enum", name: resolved.info.name };
      case "api_class":
        return { t: "classref", name: resolved.name };
      case "api_constant":
        return apiType(API.constants.get(resolved.name)!.type);
      default:
        return VARIANT;
    }
  }

  /** The type of `base.name` (not called). */
  #attribute(base: Ty, name: string, baseExpr: Expression): Ty {
    switch (base.t) {
      case "classref": {
        const constant = API.classConstant(base.name, name);
        return constant ? apiType(constant.type) : VARIANT;
      }
      case "enum":
        return INT;
      case "self": {
        if (baseExpr.kind !== "self") return VARIANT;
        const member = this.#p.members.get(name);
        if (member?.k === "binding") return member.b.ty;
        if (member?.k === "func") return CALLABLE;
        return API.member(API.api.base, name)?.kind === "method" ? CALLABLE : VARIANT;
      }
      case "class": {
        const member = API.member(base.name, name);
        if (!member) return VARIANT;
        if (member.kind === "property") return apiType(member.spec.type, base);
        return member.kind === "method" ? CALLABLE : SIGNAL;
      }
      default:
        return VARIANT;
    }
  }

  /** What a call returns. */
  #call(e: CallExpression): Ty {
    const { callee } = e;
    const args = () => e.args.map((arg) => this.typeOf(arg));
    if (callee.kind === "identifier") {
      const resolved = this.#p.resolved.get(callee);
      switch (resolved?.k) {
        case "func":
          return resolved.fn.returnTy;
        case "base_method":
        case "api_function":
          return returns(resolved.spec, undefined, args());
        case "api_class":
          return cls(resolved.name);
        default:
          return VARIANT;
      }
    }
    if (callee.kind !== "attribute") return VARIANT;
    const name = callee.member.name;
    const base = this.typeOf(callee.base);
    switch (base.t) {
      case "classref": {
        if (name === "new") return cls(base.name);
        const spec = API.staticMethod(base.name, name);
        return spec ? returns(spec, undefined, args()) : VARIANT;
      }
      case "self": {
        const member = this.#p.members.get(name);
        if (member?.k === "func") return member.fn.returnTy;
        const inherited = API.member(API.api.base, name);
        return inherited?.kind === "method" ? returns(inherited.spec, base, args()) : VARIANT;
      }
      case "class": {
        const member = API.member(base.name, name);
        return member?.kind === "method" ? returns(member.spec, base, args()) : VARIANT;
      }
      default:
        return VARIANT;
    }
  }
}

function returns(spec: MethodSpec, receiver: Ty | undefined, args: readonly Ty[]): Ty {
  return apiType(spec.returns, receiver, args);
}
