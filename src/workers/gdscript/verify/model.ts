/**
 * What the binder learns about a spell and the typer and checker use: every declared name, every
 * function and lambda, and what each identifier refers to.
 *
 * @module
 */

import type { MethodSpec } from "../api/types.ts";
import type {
  EnumDecl,
  Expression,
  FuncDecl,
  Identifier,
  LambdaExpression,
  Script,
  Span,
} from "../parser/ast.ts";
import type { Ty } from "./types.ts";

/** A declared name: a variable, constant, parameter, loop or match variable, or enum value. */
export interface Binding {
  readonly kind: "var" | "const" | "param" | "loop" | "match" | "enum_value";
  readonly member: boolean;
  readonly name: string;
  readonly decl: Identifier;
  /** Its type as written, if it has one (set once every member is declared). */
  declared: Ty | null;
  /** Where its type comes from when it is not written: each value assigned to it. */
  readonly sources: (() => Ty)[];
  /** `:=` and constants: the type of this one initializer, fixed. */
  readonly fixedBy: Expression | null;
  /** A constant's value expression (or an implicit enum value), for folding bounds. */
  readonly constant: Expression | bigint | null;
  /** A variable's initializer, or a loop variable's iterable: folded while never reassigned. */
  readonly initializer: Expression | null;
  /** How many assignments it has besides its initializer. */
  assignments: number;
  /** The solved type. */
  ty: Ty;
  /** Growth cell (see growth.ts). */
  readonly cell: number;
  /** The function or lambda it is local to (null for members). */
  readonly owner: FuncDecl | LambdaExpression | null;
  /** Callable-flow node (see calls.ts). */
  readonly flowNode: number;
}

/** A function of the spell, a lambda, or the pseudo-function of member initializers. */
export interface FnInfo {
  /** Call-graph node id. */
  readonly id: number;
  readonly name: string;
  readonly node: FuncDecl | LambdaExpression | Script;
  readonly params: Binding[];
  /** The written return type (set once every member is declared), else VARIANT. */
  returnTy: Ty;
  readonly retCell: number;
  readonly retNode: number;
}

/** A named enum of the spell. */
export interface EnumInfo {
  readonly name: string;
  readonly decl: EnumDecl;
  readonly values: Map<string, Binding>;
}

/** What a class-level name is. */
export type MemberInfo =
  | { readonly k: "binding"; readonly b: Binding }
  | { readonly k: "func"; readonly fn: FnInfo }
  | { readonly k: "enum"; readonly info: EnumInfo };

/** What an identifier in an expression refers to. */
export type Resolved =
  | { readonly k: "binding"; readonly b: Binding }
  | { readonly k: "func"; readonly fn: FnInfo }
  | { readonly k: "enum"; readonly info: EnumInfo }
  /** A method the spell inherits from SpellModule (`get_param`). */
  | { readonly k: "base_method"; readonly spec: MethodSpec }
  | { readonly k: "api_function"; readonly spec: MethodSpec }
  | { readonly k: "api_class"; readonly name: string }
  | { readonly k: "api_constant"; readonly name: string }
  | { readonly k: "unknown" };

/** Everything the binder found. */
export interface Program {
  readonly script: Script;
  readonly members: Map<string, MemberInfo>;
  /** Members declared more than once: the later declarations. */
  readonly duplicates: { readonly name: string; readonly at: Span }[];
  readonly resolved: Map<Identifier, Resolved>;
  /** The binding each declaring identifier introduces. */
  readonly declared: Map<Identifier, Binding>;
  readonly lambdas: Map<LambdaExpression, FnInfo>;
  readonly functions: Map<FuncDecl, FnInfo>;
  readonly initializers: FnInfo;
  readonly bindings: Binding[];
  readonly fns: FnInfo[];
}
