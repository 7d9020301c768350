/**
 * The binder: one walk over the tree that declares every name in its scope (as Godot scopes them:
 * class members everywhere, locals from their declaration to the end of their block, lambdas
 * seeing the locals before them) and records what each identifier refers to and what each untyped
 * variable is assigned. It decides nothing; the checker does.
 *
 * @module
 */

import type {
  Annotation,
  ClassMember,
  ConstDecl,
  EnumDecl,
  Expression,
  FuncDecl,
  Identifier,
  LambdaExpression,
  MatchBranch,
  Param,
  Pattern,
  Script,
  Statement,
  TypeRef,
  VarDecl,
} from "../parser/ast.ts";
import type { CallableFlows, CallGraph } from "./calls.ts";
import type { Growth } from "./growth.ts";
import type { Binding, EnumInfo, FnInfo, MemberInfo, Program, Resolved } from "./model.ts";
import { INT64_MAX, intLiteral } from "./bounds.ts";
import { API, apiType, binaryType, cls, INT, NONE, type Ty, VARIANT, VOID } from "./types.ts";

/** Services the binder allocates ids from. */
export interface Allocators {
  readonly growth: Growth;
  readonly flows: CallableFlows;
  readonly graph: CallGraph;
}

/** Answers the type of an expression once bindings are solved (the typer). */
export type TypeOf = (expr: Expression) => Ty;

type Scope = Map<string, Resolved>;

/** Binds a script; `typeOf` is only called later, while solving types. */
export function bind(script: Script, alloc: Allocators, typeOf: TypeOf): Program {
  return new Binder(script, alloc, typeOf).program;
}

class Binder {
  readonly program: Program;
  #alloc: Allocators;
  #typeOf: TypeOf;
  /** Local scopes of the function being walked, innermost last. */
  #scopes: Scope[] = [];
  /** The function or lambda being walked. */
  #owner: FuncDecl | LambdaExpression | null = null;

  constructor(script: Script, alloc: Allocators, typeOf: TypeOf) {
    this.#alloc = alloc;
    this.#typeOf = typeOf;
    // Created before the program exists, so listed in it by hand.
    const initializers = this.#fn("member initializers", script, [], VOID);
    this.program = {
      script,
      members: new Map(),
      duplicates: [],
      resolved: new Map(),
      declared: new Map(),
      lambdas: new Map(),
      functions: new Map(),
      initializers,
      bindings: [],
      fns: [initializers],
    };
    this.#declareMembers(script.body);
    for (const member of script.body) this.#member(member);
  }

  // -------------------------------------------------------------------------------------------
  // Declarations

  #binding(
    kind: Binding["kind"],
    decl: Identifier,
    options: {
      member?: boolean;
      declared?: Ty | null;
      fixedBy?: Expression | null;
      constant?: Expression | bigint | null;
      initializer?: Expression | null;
    } = {},
  ): Binding {
    const binding: Binding = {
      kind,
      member: options.member ?? false,
      name: decl.name,
      decl,
      declared: options.declared ?? null,
      sources: [],
      fixedBy: options.fixedBy ?? null,
      constant: options.constant ?? null,
      initializer: options.initializer ?? null,
      assignments: 0,
      ty: options.declared ?? NONE,
      cell: this.#alloc.growth.cell(),
      flowNode: this.#alloc.flows.node(),
      owner: options.member ? null : this.#owner,
    };
    this.program.bindings.push(binding);
    this.program.declared.set(decl, binding);
    return binding;
  }

  #fn(
    name: string,
    node: FnInfo["node"],
    params: Binding[],
    returnTy: Ty,
  ): FnInfo {
    const fn: FnInfo = {
      id: this.#alloc.graph.add(name),
      name,
      node,
      params,
      returnTy,
      retCell: this.#alloc.growth.cell(),
      retNode: this.#alloc.flows.node(),
    };
    this.program?.fns.push(fn);
    return fn;
  }

  #declareMember(name: Identifier, info: MemberInfo): void {
    if (this.program.members.has(name.name)) {
      this.program.duplicates.push({ name: name.name, at: name });
      return;
    }
    this.program.members.set(name.name, info);
  }

  /** Class members are visible everywhere in the class, before or after their declaration. */
  #declareMembers(body: readonly ClassMember[]): void {
    const typed: [Binding, TypeRef][] = [];
    for (const member of body) {
      switch (member.kind) {
        case "var":
        case "const": {
          const binding = member.kind === "var"
            ? this.#varBinding(member, true)
            : this.#constBinding(member, true);
          if (member.type) typed.push([binding, member.type]);
          this.#declareMember(member.name, { k: "binding", b: binding });
          break;
        }
        case "enum":
          this.#declareEnum(member);
          break;
        case "func": {
          const fn = this.#fn(member.name.name, member, [], VOID);
          this.program.functions.set(member, fn);
          this.#declareMember(member.name, { k: "func", fn });
          break;
        }
        default:
          break;
      }
    }
    // Member types may name the spell's own enums, declared anywhere in the class.
    for (const [binding, ref] of typed) binding.declared = binding.ty = this.typeOfRef(ref);
    for (const fn of this.program.functions.values()) {
      const decl = fn.node as FuncDecl;
      fn.returnTy = decl.returnType ? this.typeOfRef(decl.returnType) : VARIANT;
    }
  }

  /** A variable; a member's written type is filled in once every member is declared. */
  #varBinding(decl: VarDecl, member: boolean): Binding {
    const binding = this.#binding("var", decl.name, {
      member,
      declared: decl.type && !member ? this.typeOfRef(decl.type) : null,
      fixedBy: decl.inferred ? decl.value : null,
      initializer: decl.value,
    });
    if (!decl.type && !decl.inferred && decl.value) {
      binding.sources.push(this.#typeThunk(decl.value));
    }
    return binding;
  }

  #constBinding(decl: ConstDecl, member: boolean): Binding {
    return this.#binding("const", decl.name, {
      member,
      declared: decl.type && !member ? this.typeOfRef(decl.type) : null,
      fixedBy: decl.type ? null : decl.value,
      constant: decl.value,
    });
  }

  #typeThunk(value: Expression): () => Ty {
    return () => this.#typeOf(value);
  }

  #declareEnum(decl: EnumDecl): void {
    const values = new Map<string, Binding>();
    // Implicit values count on from the previous one, exactly (Godot's ints are 64-bit).
    let next: bigint | null = 0n;
    for (const value of decl.values) {
      let constant: Expression | bigint | null = next;
      if (value.value) {
        constant = value.value;
        const literal = value.value.kind === "number" && value.value.isInt
          ? intLiteral(value.value.raw)
          : null;
        next = literal === null || literal === INT64_MAX ? null : literal + 1n;
      } else {
        next = next === null || next === INT64_MAX ? null : next + 1n;
      }
      const binding = this.#binding("enum_value", value.name, {
        member: true,
        declared: INT,
        constant,
      });
      if (decl.name) values.set(value.name.name, binding);
      else this.#declareMember(value.name, { k: "binding", b: binding });
    }
    if (decl.name) {
      const info: EnumInfo = { name: decl.name.name, decl, values };
      this.#declareMember(decl.name, { k: "enum", info });
    }
  }

  /** The type a type specifier names (unknown names give VARIANT; the checker reports them). */
  typeOfRef(ref: TypeRef): Ty {
    return typeOfRef(ref, this.program.members);
  }

  // -------------------------------------------------------------------------------------------
  // Walking

  #member(member: ClassMember): void {
    switch (member.kind) {
      case "var":
        this.#annotations(member.annotations);
        if (member.value) this.#expr(member.value);
        if (member.property) {
          for (const block of [member.property.getter, member.property.setter]) {
            if (!block) continue;
            this.#scopes = [new Map()];
            if (block.kind === "setter") {
              const param = this.#binding("param", block.param, { declared: VARIANT });
              this.#declareLocal(block.param, param);
            }
            this.#block(block.body);
            this.#scopes = [];
          }
        }
        break;
      case "const":
        this.#annotations(member.annotations);
        this.#expr(member.value);
        break;
      case "enum":
        for (const value of member.values) if (value.value) this.#expr(value.value);
        break;
      case "func":
        this.#function(member);
        break;
      case "signal":
      case "class":
      case "annotation":
        break;
    }
  }

  #annotations(annotations: readonly Annotation[]): void {
    for (const annotation of annotations) for (const arg of annotation.args) this.#expr(arg);
  }

  #function(decl: FuncDecl): void {
    const fn = this.program.functions.get(decl)!;
    this.#scopes = [new Map()];
    this.#owner = decl;
    this.#params(fn, decl.params);
    if (decl.body) this.#block(decl.body, false);
    this.#scopes = [];
    this.#owner = null;
  }

  #params(fn: FnInfo, params: readonly Param[]): void {
    for (const param of params) {
      if (param.default) this.#expr(param.default);
      const binding = this.#binding("param", param.name, {
        declared: param.type ? this.typeOfRef(param.type) : param.inferred ? null : VARIANT,
        fixedBy: param.inferred ? param.default : null,
      });
      fn.params.push(binding);
      this.#declareLocal(param.name, binding);
    }
  }

  #declareLocal(name: Identifier, binding: Binding): void {
    this.#scopes[this.#scopes.length - 1]!.set(name.name, { k: "binding", b: binding });
  }

  #block(statements: readonly Statement[], scoped = true): void {
    if (scoped) this.#scopes.push(new Map());
    for (const statement of statements) this.#statement(statement);
    if (scoped) this.#scopes.pop();
  }

  #statement(s: Statement): void {
    switch (s.kind) {
      case "var": {
        if (s.value) this.#expr(s.value);
        this.#declareLocal(s.name, this.#varBinding(s, false));
        break;
      }
      case "const": {
        this.#expr(s.value);
        this.#declareLocal(s.name, this.#constBinding(s, false));
        break;
      }
      case "expression_statement":
        this.#expr(s.expression);
        break;
      case "if":
        this.#expr(s.condition);
        this.#block(s.body);
        for (const branch of s.elifs) {
          this.#expr(branch.condition);
          this.#block(branch.body);
        }
        if (s.elseBody) this.#block(s.elseBody);
        break;
      case "while":
        this.#expr(s.condition);
        this.#block(s.body);
        break;
      case "for": {
        this.#expr(s.iterable);
        this.#scopes.push(new Map());
        const iterable = s.iterable;
        const binding = this.#binding("loop", s.variable, {
          declared: s.variableType ? this.typeOfRef(s.variableType) : null,
          initializer: iterable,
        });
        if (!s.variableType) binding.sources.push(() => this.#elementTypeOf(iterable));
        this.#declareLocal(s.variable, binding);
        this.#block(s.body, false);
        this.#scopes.pop();
        break;
      }
      case "match":
        this.#expr(s.subject);
        for (const branch of s.branches) this.#branch(branch, s.subject);
        break;
      case "return":
        if (s.value) this.#expr(s.value);
        break;
      case "assert":
        this.#expr(s.condition);
        if (s.message) this.#expr(s.message);
        break;
      case "annotation":
        this.#annotations([s]);
        break;
      default:
        break;
    }
  }

  #branch(branch: MatchBranch, subject: Expression): void {
    this.#scopes.push(new Map());
    for (const pattern of branch.patterns) this.#pattern(pattern, subject, true);
    if (branch.guard) this.#expr(branch.guard);
    this.#block(branch.body, false);
    this.#scopes.pop();
  }

  #pattern(pattern: Pattern, subject: Expression, topLevel: boolean): void {
    switch (pattern.kind) {
      case "pattern_expression":
        this.#expr(pattern.expression);
        break;
      case "pattern_bind": {
        const binding = this.#binding("match", pattern.name);
        binding.sources.push(topLevel ? () => this.#typeOf(subject) : () => VARIANT);
        this.#declareLocal(pattern.name, binding);
        break;
      }
      case "pattern_array":
        for (const element of pattern.elements) this.#pattern(element, subject, false);
        break;
      case "pattern_dictionary":
        for (const entry of pattern.entries) {
          if (entry.key) this.#expr(entry.key);
          if (entry.value) this.#pattern(entry.value, subject, false);
        }
        break;
      default:
        break;
    }
  }

  #expr(e: Expression): void {
    switch (e.kind) {
      case "identifier":
        this.program.resolved.set(e, this.#resolve(e.name));
        break;
      case "unary":
        this.#expr(e.operand);
        break;
      case "binary":
        this.#expr(e.left);
        this.#expr(e.right);
        break;
      case "type_test":
      case "cast":
      case "await":
        this.#expr(e.operand);
        break;
      case "ternary":
        this.#expr(e.condition);
        this.#expr(e.whenTrue);
        this.#expr(e.whenFalse);
        break;
      case "assignment":
        this.#expr(e.target);
        this.#expr(e.value);
        this.#recordAssignment(e.target, e.op, e.value);
        break;
      case "call":
        if (e.callee.kind !== "super") this.#expr(e.callee);
        for (const arg of e.args) this.#expr(arg);
        break;
      case "subscript":
        this.#expr(e.base);
        this.#expr(e.index);
        break;
      case "attribute":
        this.#expr(e.base);
        break;
      case "array":
        for (const element of e.elements) this.#expr(element);
        break;
      case "dictionary":
        for (const entry of e.entries) {
          if (e.style === "python") this.#expr(entry.key);
          this.#expr(entry.value);
        }
        break;
      case "lambda":
        this.#lambda(e);
        break;
      case "preload":
        this.#expr(e.path);
        break;
      default:
        break;
    }
  }

  #lambda(e: LambdaExpression): void {
    const fn = this.#fn(
      e.name ? `lambda ${e.name.name}` : `lambda at line ${e.line}`,
      e,
      [],
      e.returnType ? this.typeOfRef(e.returnType) : VARIANT,
    );
    this.program.lambdas.set(e, fn);
    const scope: Scope = new Map();
    // A named lambda sees its own name: using it from inside is recursion.
    if (e.name) scope.set(e.name.name, { k: "func", fn });
    this.#scopes.push(scope);
    const owner = this.#owner;
    this.#owner = e;
    this.#params(fn, e.params);
    this.#block(e.body, false);
    this.#owner = owner;
    this.#scopes.pop();
  }

  /** `x = v`, `x += v`, `self.x = v`: a source of an untyped variable's type. */
  #recordAssignment(target: Expression, op: string, value: Expression): void {
    let binding: Binding | undefined;
    if (target.kind === "identifier") {
      const resolved = this.program.resolved.get(target);
      if (resolved?.k === "binding") binding = resolved.b;
    } else if (target.kind === "attribute" && target.base.kind === "self") {
      const member = this.program.members.get(target.member.name);
      if (member?.k === "binding") binding = member.b;
    }
    if (!binding) return;
    binding.assignments++;
    if (binding.declared || binding.fixedBy) return;
    const b = binding;
    if (op === "=") b.sources.push(this.#typeThunk(value));
    else b.sources.push(() => binaryType(op.slice(0, -1), b.ty, this.#typeOf(value)));
  }

  #resolve(name: string): Resolved {
    for (let i = this.#scopes.length - 1; i >= 0; i--) {
      const found = this.#scopes[i]!.get(name);
      if (found) return found;
    }
    const member = this.program.members.get(name);
    if (member) {
      if (member.k === "binding") return { k: "binding", b: member.b };
      if (member.k === "func") return { k: "func", fn: member.fn };
      return { k: "enum", info: member.info };
    }
    const base = API.member(API.api.base, name);
    if (base?.kind === "method") return { k: "base_method", spec: base.spec };
    const fn = API.functions.get(name);
    if (fn) return { k: "api_function", spec: fn };
    if (API.classes.has(name)) return { k: "api_class", name };
    if (API.constants.has(name)) return { k: "api_constant", name };
    return { k: "unknown" };
  }

  #elementTypeOf(iterable: Expression): Ty {
    if (
      iterable.kind === "call" && iterable.callee.kind === "identifier" &&
      this.program.resolved.get(iterable.callee)?.k === "api_function" &&
      iterable.callee.name === "range"
    ) {
      return INT;
    }
    const ty = this.#typeOf(iterable);
    if (ty.t !== "class") return VARIANT;
    if (ty.name === "int") return INT;
    if (ty.elem && ty.name === "Array") return ty.elem;
    const spec = API.classes.get(ty.name);
    return spec?.iterates ? apiType(spec.iterates, ty) : VARIANT;
  }
}

/** The type a type specifier names, given the spell's members (for its own enums). */
export function typeOfRef(ref: TypeRef, members: ReadonlyMap<string, MemberInfo>): Ty {
  if (ref.isVoid) return VOID;
  if (ref.chain.length !== 1) return VARIANT;
  const name = ref.chain[0]!.name;
  if (name === "Variant") return VARIANT;
  const member = members.get(name);
  if (member?.k === "enum") return INT;
  if (!API.classes.has(name)) return VARIANT;
  const [elem, value] = ref.elementTypes;
  if (name === "Array" && elem) return cls("Array", typeOfRef(elem, members));
  if (name === "Dictionary" && value) return cls("Dictionary", typeOfRef(value, members));
  return apiType(name);
}
