/**
 * The checker: the second walk over a bound, typed spell. It refuses every name, member, call,
 * literal and statement that is not part of the SpellScript API, and feeds the call graph
 * (recursion), the callable flows and the growth cells (sizes and loops) that `verify.ts` solves.
 *
 * @module
 */

import type { Capability, ExternalBound, MethodSpec, ParamSpec, SizeTerm } from "../api/types.ts";
import type {
  Annotation,
  AssignmentExpression,
  CallExpression,
  Expression,
  ForStatement,
  FuncDecl,
  Identifier,
  LambdaExpression,
  MatchBranch,
  Node,
  Param,
  Pattern,
  Span,
  Statement,
  TypeRef,
  VarDecl,
} from "../parser/ast.ts";
import {
  ANY_INT,
  INT64_MIN,
  type Interval,
  intervalOf,
  intLiteral,
  type Range,
  rangeOf,
  rangeOverflows,
  rangeTrips,
  rangeValues,
} from "./bounds.ts";
import { CallableFlows, type CallableSources, CallGraph, NO_CALLABLES } from "./calls.ts";
import { checkFormat } from "./format.ts";
import { MIN_FOREVER_STEP, TWEEN_METHOD_CALLS_PER_SECOND } from "../api/spellscript_api.ts";
import type { Budget } from "./budget.ts";
import {
  addParts,
  type Factor,
  Growth,
  located,
  NO_SIZE,
  type Parts,
  partsOf,
  type Scope,
  type SizedValue,
  sizeOf,
} from "./growth.ts";
import { addedSize, printed, resultSize } from "./size_rules.ts";
import {
  add,
  BRACKETS,
  constant,
  isScalarType,
  type Poly,
  SCALAR,
  scalar,
  scale,
  SEPARATOR,
  type Size,
  sumSizes,
  text,
  textOf,
} from "./sizes.ts";
import type { Binding, FnInfo, Program } from "./model.ts";
import { walk } from "../parser/walk.ts";
import type { Typer } from "./typer.ts";
import {
  API,
  apiType,
  binaryType,
  BOOL,
  CALLABLE,
  FLOAT,
  INT,
  isClass,
  isSized,
  NONE,
  sameTy,
  SELF,
  showTy,
  STRING,
  type Ty,
  VARIANT,
} from "./types.ts";
import { typeOfRef } from "./binder.ts";
import { alwaysReturns, castable, comparable, compatible, isObjectClass } from "./typing.ts";

/** A refused construct at a 1-based line and column. */
export interface Violation {
  readonly line: number;
  readonly col: number;
  readonly message: string;
}

/** What the checker hands to `verify.ts` besides violations. */
export interface CheckState {
  readonly graph: CallGraph;
  readonly flows: CallableFlows;
  readonly growth: Growth;
  readonly budget: Budget;
}

/** A callable handed to the engine, charged to the budget once its functions are known. */
interface PendingCallback {
  readonly fn: number;
  readonly scope: Scope;
  readonly sources: CallableSources;
  readonly at: Span;
  /**
   * How often the engine calls it: per element of a cell, per sort step, a count, or per loop of
   * the spell's tweens (times `frames` for `tween_method`, called every frame of its step).
   */
  readonly times: Factor | "tween" | "tween_loops" | { readonly frames: number };
}

/** A scalar of each type, as a value (shared: values are never changed). */
const SCALAR_VALUES = new Map<string, SizedValue>();

/**
 * Methods of sized values that do not read the whole receiver (a hash lookup, an end of an
 * array, a length): only their arguments are charged by weight (Budget.scan). Every other method
 * is taken to read or copy all of its receiver.
 */
const CONSTANT_TIME = new Set([
  "Dictionary.get",
  "Dictionary.has",
  "Dictionary.erase",
  "Dictionary.size",
  "Dictionary.is_empty",
  "Dictionary.clear",
  "Array.size",
  "Array.is_empty",
  "Array.append",
  "Array.push_back",
  "Array.pop_back",
  "Array.front",
  "Array.back",
  "Array.clear",
  "Array.resize",
  "PackedStringArray.size",
  "PackedStringArray.is_empty",
  "PackedStringArray.append",
  "PackedStringArray.push_back",
  "String.length",
  "String.is_empty",
  "String.unicode_at",
  "String.begins_with",
  "String.ends_with",
]);

/** The spell's own prints. */
const PRINTS = new Set(["print", "push_warning", "push_error"]);

/** Global functions that only read their arguments, so a callable may be printed. */
const READ_ONLY_FUNCTIONS = new Set(["print", "push_warning", "push_error", "str"]);

const SELF_ALIAS =
  "the spell's members are reached through self, not through a variable that holds it";

/** Godot's global random functions: each client's generator differs from the others'. */
const GLOBAL_RANDOM = new Set(["randf", "randi", "randf_range", "randi_range", "randfn"]);
const RANDOM_HINT = ": it uses the global random generator, which differs between clients; use " +
  "ctx.rng (ctx.randf(), ctx.randi_range(a, b), ctx.rng.randfn())";

/** The ending of every "not allowlisted" message. */
const NOT_PART = "is not part of the SpellScript API";

interface CallableUse {
  readonly fn: number;
  readonly sources: CallableSources;
  readonly at: Span;
  /** Given to the engine: a callable from outside the spell is refused here. */
  readonly strict: boolean;
}

interface CallbackWiring {
  readonly sources: CallableSources;
  /** Cells each of the callable's parameters receives. */
  readonly params: readonly (readonly number[])[];
  /** Cell that receives the callable's result. */
  readonly result: number;
  /** Cells that may reach any of its parameters (`bind`). */
  readonly everyParam?: readonly number[];
}

export class Checker {
  readonly violations: Violation[] = [];
  /** Each capability used, with the first place it is used. */
  readonly capabilities = new Map<Capability, Span>();
  #p: Program;
  #typer: Typer;
  #state: CheckState;
  #maxIterations: number;
  #fn: FnInfo;
  /** Trip counts of the `range` loops around the current statement, in the current function. */
  #rangeTrips: number[] = [];
  #uses: CallableUse[] = [];
  #unchanged = new Map<Binding, boolean>();
  /** Calls of a tween-settings chain that initializes a variable (`create_tween().set_loops(0)`). */
  #chainOf = new Map<Expression, Binding>();
  /** `set_loops()` calls that loop forever, checked once every use of the tween is seen. */
  #forevers: CallExpression[] = [];
  /** The call each method callee belongs to (for #forever, which finds uses by walking). */
  #callOf = new Map<Node, CallExpression>();
  /** The `Timer.new()` being checked as a variable's initializer. */
  #timerInit: Expression | null = null;
  /** Each variable made with `Timer.new()`: where, whether `one_shot = true` is set, its function. */
  #timers = new Map<
    Binding,
    {
      at: Span;
      oneShot: boolean;
      fn: FnInfo["node"];
      connects: number;
      oneShotConnects: number;
      /** Its `start()` calls and `autostart` writes. */
      starts: Span[];
      /** One of them may run more than once (in a loop, or in another function). */
      restarts: boolean;
      /** The loops around `Timer.new()`: a start within the same ones runs once per timer. */
      scope: Scope;
    }
  >();
  /** `start()` calls and `autostart` writes on a timer that is not a `Timer.new()` variable. */
  #unknownStarts: Span[] = [];
  /** A `timeout.connect` without CONNECT_ONE_SHOT on a timer that is not such a variable. */
  #unknownConnect: Span | null = null;
  /** `Timer.start()` calls: where, and whether on a timer made in the same function. */
  #starts: { fn: number; at: Span; fresh: boolean }[] = [];
  /** Sizes of the elements of each array literal (for `%`, which prints them one by one). */
  #elementSizes = new Map<Expression, Size[]>();
  /** Callables handed to the engine, charged to the budget in finish(). */
  #callbacks: PendingCallback[] = [];
  /** The most loops any tween of the spell has (set_loops), at least 1. */
  #tweenLoops = 1;
  /** The call an expression statement makes (its result, if void, is not used). */
  #statementCall: Expression | null = null;
  #wirings: CallbackWiring[] = [];

  constructor(program: Program, typer: Typer, state: CheckState, maxIterations: number) {
    this.#p = program;
    this.#typer = typer;
    this.#state = state;
    this.#maxIterations = maxIterations;
    this.#fn = program.initializers;
  }

  // -------------------------------------------------------------------------------------------
  // Results

  report(at: Span, message: string): void {
    this.violations.push({ line: at.line, col: at.col, message });
  }

  /** Adds the call-graph edges of every callable use and wires callbacks to their callables. */
  finish(): void {
    const { flows, graph, growth } = this.#state;
    for (const use of this.#uses) {
      const { fns, unknown } = flows.resolve(use.sources);
      for (const fn of fns) graph.edge(use.fn, fn, use.at);
      if (use.strict && unknown) {
        this.report(
          use.at,
          "this callable may come from outside the spell (a dictionary, an array or an untyped " +
            "value): pass a lambda or one of the spell's functions",
        );
      }
    }
    for (const [binding, timer] of this.#timers) {
      if (timer.oneShot || (timer.connects > 0 && timer.connects === timer.oneShotConnects)) {
        continue;
      }
      this.report(
        timer.at,
        `the timer \`${binding.name}\` must be one-shot: set \`${binding.name}.one_shot = true\` ` +
          "(a repeating timer runs its callback every time, for as long as it lives)",
      );
    }
    this.#rearming();
    this.#restarts();
    for (const call of this.#forevers) this.#forever(call);
    for (const callback of this.#callbacks) {
      const times: Factor = callback.times === "tween" || callback.times === "tween_loops"
        ? { k: this.#tweenLoops }
        : "frames" in callback.times
        ? { k: this.#tweenLoops * callback.times.frames }
        : callback.times;
      for (const to of flows.resolve(callback.sources).fns) {
        this.#state.budget.call(callback.fn, callback.scope, to, callback.at, times);
      }
    }
    const byId = new Map(this.#p.fns.map((fn) => [fn.id, fn]));
    for (const wiring of this.#wirings) {
      for (const id of flows.resolve(wiring.sources).fns) {
        const target = byId.get(id);
        if (!target) continue;
        growth.merge(wiring.result, target.retCell);
        wiring.params.forEach((cells, i) => {
          const param = target.params[i];
          if (param) { for (const cell of cells) growth.merge(param.cell, cell); }
        });
        for (const param of target.params) {
          for (const cell of wiring.everyParam ?? []) growth.merge(param.cell, cell);
        }
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Names and types

  #ty(e: Expression): Ty {
    return this.#typer.typeOf(e);
  }

  /** A name the spell declares: ASCII, not a forbidden or API name. */
  declaredName(name: Identifier): void {
    if (this.#badName(name)) return;
    if (API.globalNames.has(name.name)) {
      this.report(name, `${name.name} is a SpellScript API name and cannot be declared again`);
      return;
    }
    const godot = API.godotNames.get(name.name);
    if (godot) {
      this.report(
        name,
        `${name.name} is ${godot}: a spell may not declare it (Godot would use its own ` +
          `${name.name}, or refuse the script): choose another name`,
      );
    }
  }

  /** Reports a non-ASCII or forbidden name; true if it did. */
  #badName(name: Identifier): boolean {
    if (name.nonAscii) {
      this.report(
        name,
        `the name ${JSON.stringify(name.name)} has non-ASCII characters: SpellScript names are ` +
          `ASCII letters, digits and _`,
      );
      return true;
    }
    const why = API.forbidden.get(name.name);
    if (why !== undefined) {
      this.report(name, `${name.name} ${NOT_PART}: it ${why}`);
      return true;
    }
    return false;
  }

  typeRef(ref: TypeRef | null, allowVoid = false): void {
    if (!ref) return;
    if (ref.isVoid) {
      if (!allowVoid) this.report(ref, "void is only a return type");
      return;
    }
    for (const name of ref.chain) if (this.#badName(name)) return;
    const name = ref.chain.map((part) => part.name).join(".");
    const own = ref.chain.length === 1 && this.#p.members.get(name)?.k === "enum";
    const known = ref.chain.length === 1 && (API.classes.has(name) || name === "Variant");
    if (!own && !known) {
      this.report(ref, `the type ${name} ${NOT_PART}`);
      return;
    }
    if (ref.elementTypes.length > 0 && name !== "Array" && name !== "Dictionary") {
      this.report(ref, `the type ${name} has no element type`);
    }
    for (const element of ref.elementTypes) this.typeRef(element);
  }

  annotations(annotations: readonly Annotation[]): void {
    for (const annotation of annotations) this.annotation(annotation);
  }

  annotation(annotation: Annotation): void {
    if (!API.annotations.has(annotation.name)) {
      const allowed = [...API.annotations].map((name) => `@${name}`).join(", ");
      this.report(annotation, `@${annotation.name} ${NOT_PART} (only ${allowed})`);
      return;
    }
    for (const arg of annotation.args) {
      if (arg.kind !== "string") {
        this.report(arg, `@${annotation.name} takes warning names as strings`);
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Class members

  memberVar(decl: VarDecl): void {
    this.annotations(decl.annotations);
    this.declaredName(decl.name);
    this.typeRef(decl.type);
    if (decl.isStatic) {
      this.report(
        decl,
        "static variables are not part of SpellScript (every cast, and every spell loaded from " +
          "the same script, would share them): use a member variable",
      );
    }
    if (decl.property) {
      this.report(
        decl.property,
        "property setters and getters are not part of SpellScript (the engine would run them " +
          "implicitly): use a function",
      );
    }
    this.#fn = this.#p.initializers;
    const binding = this.#p.declared.get(decl.name)!;
    // Kept from one run of the spell to the next.
    this.#state.growth.persistent.add(binding.cell);
    this.#declaration(decl, binding);
  }

  /** `var`/`const` (member or local): the initializer flows into the binding. */
  #declaration(
    decl: { value: Expression | null; name: Identifier } & Span,
    binding: Binding,
  ): void {
    if (!decl.value) return;
    const timer = isTimerNew(decl.value);
    if (timer) {
      this.#timerInit = decl.value;
      this.#timers.set(binding, {
        at: decl.value,
        oneShot: false,
        fn: this.#fn.node,
        connects: 0,
        oneShotConnects: 0,
        starts: [],
        restarts: false,
        scope: this.#state.growth.scope,
      });
    }
    for (
      let link: Expression = decl.value;
      link.kind === "call" && link.callee.kind === "attribute" &&
      TWEEN_SETTINGS.has(link.callee.member.name);
      link = link.callee.base
    ) {
      this.#chainOf.set(link, binding);
    }
    const value = this.expr(decl.value);
    this.#timerInit = null;
    this.#flowInto(binding, decl.value, value, decl);
    const what = `\`${binding.name}\``;
    if (binding.kind === "const") this.#constantValue(decl.value, binding.name);
    if (binding.fixedBy === decl.value) this.#inferable(decl.value, what);
    else if (binding.declared) this.#slot(binding.declared, decl.value, what);
  }

  memberConst(
    decl:
      & { value: Expression; name: Identifier; type: TypeRef | null; annotations: Annotation[] }
      & Span,
  ): void {
    this.annotations(decl.annotations);
    this.declaredName(decl.name);
    this.typeRef(decl.type);
    this.#fn = this.#p.initializers;
    this.#declaration(decl, this.#p.declared.get(decl.name)!);
  }

  enumValue(name: Identifier, value: Expression | null): void {
    this.declaredName(name);
    this.#fn = this.#p.initializers;
    if (value) this.expr(value);
  }

  func(decl: FuncDecl): void {
    const fn = this.#p.functions.get(decl)!;
    this.annotations(decl.annotations);
    if (decl.isStatic) this.#staticBody(decl);
    const name = decl.name.name;
    if (
      API.api.callbacks.some((c) => c.name === name) || name === "_init" || name === "get_manifest"
    ) {
      this.#state.budget.root(fn.id, decl.name, name);
    }
    const callback = API.api.callbacks.find((c) => c.name === name);
    this.#badName(decl.name);
    const reserved = API.reservedFunctions.get(decl.name.name);
    if (reserved) this.report(decl.name, `func ${decl.name.name} ${NOT_PART}: ${reserved}`);
    else if (!overridable(decl)) this.declaredName(decl.name);
    if (decl.restParam) {
      this.report(decl.restParam, "variadic parameters (...) are not part of SpellScript");
    }
    this.typeRef(decl.returnType, true);
    this.#withFn(fn, () => {
      this.#params(decl.params);
      if (decl.name.name === "on_event" && fn.params[1]) {
        this.#state.growth.readOnly(fn.params[1].cell, "the event");
      }
      for (const [param, bound] of Object.entries(callback?.bounds ?? {})) {
        const binding = fn.params.find((b) => b.name === param);
        if (binding) this.#external(binding.cell, bound, decl.name);
      }
      this.#block(decl.body ?? []);
    });
    this.#returnsOnEveryPath(decl.returnType, decl.body ?? [], decl.name);
  }

  /** A function with a return type must return a value on every path (or Godot refuses it). */
  #returnsOnEveryPath(type: TypeRef | null, body: readonly Statement[], at: Span): void {
    if (!type || type.isVoid || alwaysReturns(body)) return;
    this.report(
      at,
      "not every path of this function returns a value (Godot refuses the script): end every " +
        "branch with a return, or give match a _ branch",
    );
  }

  /**
   * A static function has no spell instance: Godot refuses one that uses the spell's variables,
   * its other functions or SpellModule's methods (constants and enums are fine).
   */
  #staticBody(decl: FuncDecl): void {
    for (const statement of decl.body ?? []) {
      walk(statement, (node) => {
        if (node.kind !== "identifier") return;
        const resolved = this.#p.resolved.get(node);
        const instance =
          (resolved?.k === "binding" && resolved.b.member && resolved.b.kind === "var") ||
          (resolved?.k === "func" && resolved.fn.node.kind === "func" &&
            !resolved.fn.node.isStatic) ||
          resolved?.k === "base_method";
        if (instance) {
          this.report(
            node,
            `${node.name} belongs to the spell instance: a static function cannot use it`,
          );
        }
      });
    }
  }

  #withFn(fn: FnInfo, body: () => void): void {
    const saved = this.#fn;
    const savedTrips = this.#rangeTrips;
    const { growth } = this.#state;
    const savedScope = growth.scope;
    this.#fn = fn;
    this.#rangeTrips = [];
    growth.scope = null;
    try {
      body();
    } finally {
      this.#fn = saved;
      this.#rangeTrips = savedTrips;
      growth.scope = savedScope;
    }
  }

  #params(params: readonly Param[]): void {
    for (const param of params) {
      this.declaredName(param.name);
      this.typeRef(param.type);
      if (param.default) {
        const value = this.expr(param.default);
        const binding = this.#p.declared.get(param.name)!;
        this.#flowInto(binding, param.default, value, param);
        const what = `\`${param.name.name}\``;
        if (param.inferred) this.#inferable(param.default, what);
        else if (param.type) this.#slot(binding.declared ?? VARIANT, param.default, what);
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Statements

  #block(statements: readonly Statement[]): void {
    for (const statement of statements) this.#statement(statement);
  }

  #statement(s: Statement): void {
    if (s.kind !== "annotation" && "annotations" in s) this.annotations(s.annotations);
    switch (s.kind) {
      case "var":
        this.declaredName(s.name);
        this.typeRef(s.type);
        this.#declaration(s, this.#p.declared.get(s.name)!);
        break;
      case "const":
        this.declaredName(s.name);
        this.typeRef(s.type);
        this.#declaration(s, this.#p.declared.get(s.name)!);
        break;
      case "expression_statement": {
        const expression = s.expression;
        if (expression.kind === "assignment") {
          this.#assignment(expression);
          break;
        }
        // A call of a void function is a statement, never a value.
        this.#statementCall = expression.kind === "await" ? expression.operand : expression;
        this.expr(expression);
        this.#statementCall = null;
        break;
      }
      case "if":
        this.expr(s.condition);
        this.#block(s.body);
        for (const branch of s.elifs) {
          this.expr(branch.condition);
          this.#block(branch.body);
        }
        if (s.elseBody) this.#block(s.elseBody);
        break;
      case "while":
        this.report(
          s,
          "while loops are not part of SpellScript: use for over range() with a constant bound",
        );
        this.expr(s.condition);
        this.#block(s.body);
        break;
      case "for":
        this.#for(s);
        break;
      case "match": {
        const subject = this.expr(s.subject);
        for (const branch of s.branches) this.#branch(branch, subject);
        break;
      }
      case "return":
        this.#returnType(s);
        if (s.value) {
          const value = this.expr(s.value);
          this.#state.growth.flow(
            this.#fn.retCell,
            value,
            s.value,
            "the returned value",
            this.#fn.id,
          );
          this.#callableFlow(this.#fn.retNode, s.value, this.#fn.returnTy);
        }
        break;
      case "assert":
        this.expr(s.condition);
        if (s.message) this.expr(s.message);
        break;
      case "breakpoint":
        this.report(s, `breakpoint ${NOT_PART}`);
        break;
      case "annotation":
        this.annotation(s);
        break;
      default:
        break;
    }
  }

  #branch(branch: MatchBranch, subject: SizedValue): void {
    this.annotations(branch.annotations);
    for (const pattern of branch.patterns) this.#pattern(pattern, subject, true);
    if (branch.guard) this.expr(branch.guard);
    this.#block(branch.body);
  }

  #pattern(pattern: Pattern, subject: SizedValue, topLevel: boolean): void {
    switch (pattern.kind) {
      case "pattern_literal":
        this.expr(pattern.literal);
        break;
      case "pattern_expression":
        this.expr(pattern.expression);
        break;
      case "pattern_bind": {
        this.declaredName(pattern.name);
        const binding = this.#p.declared.get(pattern.name)!;
        const { growth } = this.#state;
        const cell = subject.alias ?? growth.cell();
        growth.merge(binding.cell, topLevel ? cell : growth.element(cell));
        break;
      }
      case "pattern_array":
        for (const element of pattern.elements) this.#pattern(element, subject, false);
        break;
      case "pattern_dictionary":
        for (const entry of pattern.entries) {
          if (entry.key) this.expr(entry.key);
          if (entry.value) this.#pattern(entry.value, subject, false);
        }
        break;
      default:
        break;
    }
  }

  #for(s: ForStatement): void {
    const { growth } = this.#state;
    this.declaredName(s.variable);
    this.typeRef(s.variableType);
    const binding = this.#p.declared.get(s.variable)!;
    const iterable = s.iterable;
    let trips: number | null = null;
    let factor: Factor | null = null;
    if (this.#isRange(iterable)) {
      const call = iterable as CallExpression;
      for (const arg of call.args) this.expr(arg);
      if (call.args.length < 1 || call.args.length > 3) {
        this.report(call, "range() takes 1 to 3 arguments");
      } else {
        const ranges = call.args.map((arg) => this.#range(arg));
        trips = rangeTrips(ranges);
        if (rangeOverflows(ranges)) {
          this.report(
            call,
            "this range's last step passes the largest (or smallest) int: Godot would wrap " +
              "around and loop (almost) for ever; keep `to` further from the int limits",
          );
        }
      }
      if (trips === null) trips = Infinity;
    } else {
      const value = this.expr(iterable);
      const ty = this.#ty(iterable);
      if (isClass(ty, "int")) {
        trips = Math.max(0, this.#interval(iterable).hi);
      } else if (ty.t === "class" && API.classes.get(ty.name)?.iterates) {
        const collection = this.#cellOf(value, iterable);
        growth.merge(binding.cell, growth.element(collection));
        factor = { cell: collection };
        growth.loop(
          collection,
          this.#fn.id,
          iterable,
          s.body[0]?.start ?? s.end,
          s.end,
          iterable,
        );
      } else {
        this.report(
          iterable,
          `for can only go over range(), an int, an array or a dictionary, not ${showTy(ty)}` +
            (ty.t === "variant" ? " (give the value a type)" : ""),
        );
      }
    }
    if (trips !== null) {
      const nested = this.#rangeTrips.reduce((product, n) => product * n, 1) * trips;
      if (!Number.isFinite(trips) || trips > this.#maxIterations) {
        this.report(
          iterable,
          `a for loop must run at most ${this.#maxIterations} times, with bounds that fold to ` +
            `constants (e.g. range(8), range(mini(n, 8)))` +
            (Number.isFinite(trips) ? `; this one runs up to ${trips}` : ""),
        );
        trips = 1;
      } else if (nested > this.#maxIterations) {
        this.report(
          iterable,
          `nested for loops must run at most ${this.#maxIterations} times in all; these run up to ` +
            `${nested}`,
        );
        trips = 1;
      }
      this.#rangeTrips.push(trips);
      factor = { k: trips };
    }
    const outer = growth.scope;
    if (factor) {
      this.#state.budget.loop(this.#fn.id, outer, factor, iterable);
      growth.scope = { factor, up: outer };
    }
    if (s.variableType) {
      const declared = binding.declared ?? VARIANT;
      const element = this.#isRange(iterable) ? INT : this.#elementType(iterable);
      this.#slotType(
        declared,
        element,
        this.#hardElement(iterable),
        `the loop variable \`${s.variable.name}\``,
        s.variable,
      );
    }
    this.#block(s.body);
    growth.scope = outer;
    if (trips !== null) this.#rangeTrips.pop();
  }

  /** What `for x in value` gives x (VARIANT when unknown). */
  #elementType(iterable: Expression): Ty {
    const ty = this.#ty(iterable);
    if (ty.t !== "class") return VARIANT;
    if (ty.name === "int") return INT;
    if (ty.elem && ty.name === "Array") return ty.elem;
    const spec = API.classes.get(ty.name);
    return spec?.iterates ? apiType(spec.iterates, ty) : VARIANT;
  }

  #isRange(e: Expression): boolean {
    return e.kind === "call" && e.callee.kind === "identifier" &&
      this.#p.resolved.get(e.callee)?.k === "api_function" && e.callee.name === "range";
  }

  #interval(e: Expression): Interval {
    return intervalOf(e, (x) => this.#constant(x), (x) => this.#fixedSize(x));
  }

  #range(e: Expression): Range {
    return rangeOf(e, (x) => this.#constant(x), (x) => this.#fixedSize(x));
  }

  /**
   * The size of a value that cannot change: a string literal, a constant array, dictionary or
   * string (Godot makes constant arrays and dictionaries read-only), or a string variable never
   * reassigned.
   */
  #fixedSize(e: Expression): bigint | undefined {
    let value: Expression | null = e;
    if (e.kind === "identifier") {
      const resolved = this.#p.resolved.get(e);
      if (resolved?.k !== "binding") return undefined;
      const b = resolved.b;
      if (b.kind === "const" && b.constant !== null && typeof b.constant !== "bigint") {
        value = b.constant;
      } else if (b.kind === "var" && b.assignments === 0 && b.initializer?.kind === "string") {
        value = b.initializer;
      } else if (
        b.kind === "var" && b.assignments === 0 &&
        (b.initializer?.kind === "array" || b.initializer?.kind === "dictionary") &&
        this.#neverChanged(b)
      ) {
        value = b.initializer;
      } else {
        return undefined;
      }
    }
    switch (value.kind) {
      case "string":
        return BigInt([...value.value].length);
      case "array":
        return BigInt(value.elements.length);
      case "dictionary":
        return BigInt(value.entries.length);
      default:
        return undefined;
    }
  }

  /**
   * What an identifier or attribute stands for, when it has a fixed value or range: a constant,
   * an enum value, a variable never reassigned after its initializer, a `range` loop's variable.
   */
  #constant(e: Expression): Expression | number | bigint | Range | undefined {
    if (e.kind === "identifier") {
      const resolved = this.#p.resolved.get(e);
      if (resolved?.k === "api_constant") return API.constants.get(resolved.name)?.value;
      if (resolved?.k !== "binding") return undefined;
      const b = resolved.b;
      if (b.constant !== null) return b.constant;
      if (b.assignments > 0 || !b.initializer) return undefined;
      if (b.kind === "var") return b.initializer;
      if (b.kind === "loop") return this.#loopRange(b.initializer);
      return undefined;
    }
    if (e.kind !== "attribute") return undefined;
    const base = e.base.kind === "identifier" ? this.#p.resolved.get(e.base) : undefined;
    if (base?.k === "enum") return base.info.values.get(e.member.name)?.constant ?? undefined;
    if (base?.k === "api_class") return API.classConstant(base.name, e.member.name)?.value;
    return undefined;
  }

  /** The values a loop variable takes over `range(…)` or an int. */
  #loopRange(iterable: Expression): Range | undefined {
    if (this.#isRange(iterable)) {
      return rangeValues((iterable as CallExpression).args.map((arg) => this.#range(arg)));
    }
    if (isClass(this.#ty(iterable), "int")) return rangeValues([this.#range(iterable)]);
    return undefined;
  }

  // -------------------------------------------------------------------------------------------
  // Typed slots

  /**
   * A value goes into a slot with a written or inferred type (a variable, a parameter, a return,
   * a typed loop variable). Godot's release builds store it without checking it (only typed
   * arrays and dictionaries are checked), and then trust the slot: a method of Node called on a
   * RefCounted, a String read from what is not one, a vector component written into a pointer. So
   * the verifier must already know the value has that type: an object of that class or a subclass
   * (or null), or, for a built-in type, a value whose type Godot itself knows there.
   */
  #slot(target: Ty, value: Expression, what: string): void {
    this.#slotType(target, this.#ty(value), this.#hard(value), what, value);
  }

  #slotType(target: Ty, ty: Ty, hard: Ty | null, what: string, at: Span): void {
    if (target.t !== "class" || ty.t === "void") return;
    const want = showTy(target);
    const cast = `give the value its type with \`as ${want}\``;
    if (isObjectClass(target.name)) {
      if (ty.t === "none") return;
      if (ty.t === "class" && isObjectClass(ty.name) && API.inherits(ty.name, target.name)) return;
      this.report(
        at,
        ty.t === "class" && isObjectClass(ty.name)
          ? `${what} is ${article(want)}, and this is ${
            article(ty.name)
          }, which may not be one (Godot would ` +
            `not check it when the spell runs): ${cast} (null when it is not)`
          : ty.t === "class"
          ? `${what} is ${article(want)}, not ${article(showTy(ty))}`
          : `${what} is ${
            article(want)
          }, and the verifier does not know this value's type (Godot ` +
            `would not check it when the spell runs): ${cast} (null when it is not)`,
      );
      return;
    }
    if (ty.t === "none") {
      this.report(at, `${what} is ${article(want)} and cannot be null`);
      return;
    }
    if (ty.t === "class" && !compatible(ty, target)) {
      this.report(at, `${what} is ${article(want)}, not ${article(showTy(ty))}`);
      return;
    }
    // Typed arrays and dictionaries are checked when the spell runs, even in release builds.
    if (target.elem) return;
    if (hard?.t === "class" && compatible(hard, target)) return;
    const element = this.#literalElement(at);
    if (element?.t === "class" && compatible(element, target)) return;
    this.report(
      at,
      `${what} is ${
        article(want)
      }, and Godot does not know this value's type here (a release build ` +
        `would store whatever it is without checking): ${cast}`,
    );
  }

  /**
   * Whether a variable's array or dictionary is only ever read where it is named: its elements
   * read, walked by `for`, measured, searched, or read by methods that do not change it. Named
   * anywhere else (passed on, stored, returned, captured by an engine call), it might change.
   */
  #neverChanged(b: Binding): boolean {
    const known = this.#unchanged.get(b);
    if (known !== undefined) return known;
    // Every use of a local is inside the function (or lambda) it belongs to.
    const parents = new Map<Node, Node>();
    const uses: Identifier[] = [];
    walk(b.owner ?? this.#p.script, (node, parent) => {
      if (node.kind !== "identifier") return;
      const resolved = this.#p.resolved.get(node);
      if (resolved?.k !== "binding" || resolved.b !== b || !parent) return;
      uses.push(node);
      parents.set(node, parent);
    });
    // A second pass finds the parents of those parents.
    const grandparents = new Map<Node, Node>();
    const wanted = new Set(parents.values());
    walk(b.owner ?? this.#p.script, (node, parent) => {
      if (parent && wanted.has(node)) grandparents.set(node, parent);
    });
    let unchanged = true;
    for (const identifier of uses) {
      const parent = parents.get(identifier);
      const grand = parent ? grandparents.get(parent) : undefined;
      let reads = false;
      if (parent?.kind === "attribute" && parent.base === identifier) {
        const method = API.member(b.ty.t === "class" ? b.ty.name : "Array", parent.member.name);
        reads = grand?.kind === "call" && grand.callee === parent && method?.kind === "method" &&
          !method.spec.mutates && !method.spec.sizes?.grows &&
          !method.spec.params.some((param) => param.type === "Callable");
      } else if (parent?.kind === "subscript" && parent.base === identifier) {
        reads = !(grand?.kind === "assignment" && grand.target === parent);
      } else if (parent?.kind === "for") {
        reads = parent.iterable === identifier;
      } else if (parent?.kind === "binary") {
        reads = (parent.op === "in" || parent.op === "not in") && parent.right === identifier;
      } else if (parent?.kind === "call") {
        reads = parent.callee.kind === "identifier" && parent.callee.name === "len";
      }
      if (!reads) {
        unchanged = false;
        break;
      }
    }
    this.#unchanged.set(b, unchanged);
    return unchanged;
  }

  /**
   * `a[i]` where `a` is an array literal that never changes (a const, or a variable never
   * reassigned nor changed in place) whose elements all have one type that Godot knows, and `i`
   * is within its bounds: that element's type, though Godot types it as unknown.
   */
  #literalElement(at: Span): Ty | null {
    const e = at as Expression;
    if (e.kind !== "subscript" || e.base.kind !== "identifier") return null;
    const size = this.#fixedSize(e.base);
    const resolved = this.#p.resolved.get(e.base);
    if (size === undefined || resolved?.k !== "binding") return null;
    const b = resolved.b;
    const literal = b.kind === "const" ? b.constant : b.initializer;
    if (!literal || typeof literal === "bigint" || literal.kind !== "array") return null;
    const index = this.#range(e.index);
    if (!index.int || index.lo < -size || index.hi >= size) return null;
    let type: Ty | null = null;
    for (const element of literal.elements) {
      const hard = this.#hard(element);
      if (!hard || hard.t !== "class" || (type && !sameTy(type, hard))) return null;
      type = hard;
    }
    return type;
  }

  /** `var x := value`: Godot must know the value's type (it refuses the script otherwise). */
  #inferable(value: Expression, what: string): void {
    const hard = this.#hard(value);
    if (hard && hard.t !== "none" && hard.t !== "void") return;
    this.report(
      value,
      `Godot cannot infer the type of ${what} from this value (` +
        (hard?.t === "none" ? "it is null" : "its type is not known where it is written") +
        `): write the type, var x: Type = …, with \`as Type\` if needed`,
    );
  }

  /** A `return` against the function's written return type. */
  #returnType(s: Statement & { kind: "return" }): void {
    const node = this.#fn.node;
    if (node.kind === "script") return;
    const type = node.returnType;
    if (!type) return;
    if (type.isVoid) {
      if (s.value) this.report(s.value, "a void function cannot return a value");
      return;
    }
    if (!s.value) {
      this.report(s, `this function must return a ${showTy(this.#fn.returnTy)}`);
      return;
    }
    this.#slot(this.#fn.returnTy, s.value, "the returned value");
  }

  /**
   * The type Godot itself knows for an expression where it is written (its "hard" type), or null
   * when it knows none (an untyped variable, an element of an untyped array, the result of an
   * untyped function). VARIANT is a type Godot knows to be any value (`Dictionary.get`).
   */
  #hard(e: Expression): Ty | null {
    switch (e.kind) {
      case "number":
      case "bool":
      case "string":
      case "array":
      case "dictionary":
      case "lambda":
      case "type_test":
        return this.#ty(e);
      case "null":
        return NONE;
      case "self":
        return SELF;
      case "cast":
        return typeOfRef(e.type, this.#p.members);
      case "identifier":
        return this.#hardName(e);
      case "unary":
        return e.op === "not" ? BOOL : this.#hard(e.operand);
      case "binary": {
        if (["and", "or"].includes(e.op)) return BOOL;
        const l = this.#hard(e.left);
        const r = this.#hard(e.right);
        if (!l || !r) return null;
        if (["==", "!=", "<", "<=", ">", ">=", "in", "not in"].includes(e.op)) return BOOL;
        if (e.op === "%" && isClass(l, "String")) return STRING;
        const ty = binaryType(e.op, l, r);
        return ty.t === "variant" ? null : ty;
      }
      case "ternary": {
        const a = this.#hard(e.whenTrue);
        const b = this.#hard(e.whenFalse);
        if (!a || !b) return null;
        if (sameTy(a, b)) return a;
        const numbers = (t: Ty) => isClass(t, "int") || isClass(t, "float");
        return numbers(a) && numbers(b) ? FLOAT : null;
      }
      case "await":
        return e.operand.kind === "call" ? this.#hard(e.operand) : null;
      case "subscript": {
        const base = this.#hard(e.base);
        if (base?.t !== "class") return null;
        if (base.name === "String" || base.name === "PackedStringArray") return STRING;
        return base.name === "Array" && base.elem ? base.elem : null;
      }
      case "attribute":
        return this.#hardMember(e);
      case "call":
        return this.#hardCall(e);
      default:
        return null;
    }
  }

  #hardName(e: Identifier): Ty | null {
    const resolved = this.#p.resolved.get(e);
    switch (resolved?.k) {
      case "binding": {
        const b = resolved.b;
        if (b.declared) return b.declared;
        if (b.kind === "enum_value") return INT;
        if (b.fixedBy) return this.#hard(b.fixedBy);
        if (b.kind === "loop" && b.initializer) return this.#hardElement(b.initializer);
        return null;
      }
      case "func":
      case "base_method":
        return CALLABLE;
      case "api_constant":
        return this.#ty(e);
      default:
        return null;
    }
  }

  /** What Godot knows of a `for` variable: ints over range() or an int, typed elements. */
  #hardElement(iterable: Expression): Ty | null {
    if (this.#isRange(iterable)) return INT;
    const base = this.#hard(iterable);
    if (base?.t !== "class") return null;
    if (base.name === "int") return INT;
    if (base.name === "String" || base.name === "PackedStringArray") return STRING;
    return base.name === "Array" && base.elem ? base.elem : null;
  }

  #hardMember(e: Expression & { kind: "attribute" }): Ty | null {
    const base = e.base.kind === "identifier" ? this.#p.resolved.get(e.base) : undefined;
    if (base?.k === "enum") return INT;
    if (base?.k === "api_class") return this.#ty(e);
    if (e.base.kind === "self") {
      const member = this.#p.members.get(e.member.name);
      if (member?.k === "binding") return this.#hardName({ ...e.member, kind: "identifier" });
      return member?.k === "func" ? CALLABLE : null;
    }
    const hard = this.#hard(e.base);
    return hard?.t === "class" ? this.#ty(e) : null;
  }

  #hardCall(e: CallExpression): Ty | null {
    const own = this.#ownFunction(e.callee);
    if (own) {
      const node = own.node as FuncDecl;
      return node.returnType ? own.returnTy : null;
    }
    const callee = e.callee;
    if (callee.kind === "identifier") {
      const resolved = this.#p.resolved.get(callee);
      // SpellModule.get_param has no return type in the client.
      if (resolved?.k === "base_method") {
        return resolved.spec.returns === "Variant" ? null : this.#ty(e);
      }
      if (resolved?.k === "api_function") {
        return resolved.spec.returns === "Arg0" ? VARIANT : this.#ty(e);
      }
      if (resolved?.k === "api_class") return this.#ty(e);
      return null;
    }
    if (callee.kind !== "attribute") return null;
    const base = callee.base.kind === "identifier" ? this.#p.resolved.get(callee.base) : undefined;
    if (base?.k === "api_class") return this.#ty(e);
    if (callee.base.kind === "self") {
      const inherited = API.member(API.api.base, callee.member.name);
      return inherited?.kind === "method" && inherited.spec.returns !== "Variant"
        ? this.#ty(e)
        : null;
    }
    const hard = this.#hard(callee.base);
    if (hard?.t !== "class") return null;
    const member = API.member(hard.name, callee.member.name);
    if (member?.kind !== "method") return null;
    // Methods that give an element of a typed array are typed Variant by Godot (an empty array
    // gives null).
    if (member.spec.returns === "Element") return VARIANT;
    return this.#ty(e);
  }

  /**
   * A constant's value must be what Godot folds when it compiles the script: literals, other
   * constants and enum values, operators, constructors of built-in types and global functions
   * of constants, array and dictionary literals of constants. Never a method call, a variable or a
   * world call (Godot refuses the script).
   */
  #constantValue(value: Expression, name: string): void {
    const bad = this.#notConstant(value);
    if (bad) {
      this.report(
        bad,
        `the constant ${name} must be a value Godot can compute when it compiles the script ` +
          `(literals, constants, operators, constructors such as Vector3(1, 2, 3)): use a var`,
      );
    }
  }

  /** The first part of `e` that is not a constant expression, or null. */
  #notConstant(e: Expression): Expression | null {
    const all = (parts: readonly Expression[]) => {
      for (const part of parts) {
        const bad = this.#notConstant(part);
        if (bad) return bad;
      }
      return null;
    };
    switch (e.kind) {
      case "number":
      case "bool":
      case "string":
      case "null":
        return null;
      case "identifier": {
        const resolved = this.#p.resolved.get(e);
        if (resolved?.k === "api_constant") return null;
        if (resolved?.k === "binding" && ["const", "enum_value"].includes(resolved.b.kind)) {
          return null;
        }
        return e;
      }
      case "attribute": {
        const base = e.base.kind === "identifier" ? this.#p.resolved.get(e.base) : undefined;
        return base?.k === "enum" || base?.k === "api_class" ? null : e;
      }
      case "unary":
        return this.#notConstant(e.operand);
      case "binary":
        return all([e.left, e.right]);
      case "ternary":
        return all([e.condition, e.whenTrue, e.whenFalse]);
      case "cast":
        return this.#notConstant(e.operand);
      case "array":
        return all(e.elements);
      case "dictionary":
        return all(e.entries.flatMap((entry) => [entry.key, entry.value]));
      case "call": {
        const callee = e.callee;
        if (callee.kind !== "identifier") return e;
        const resolved = this.#p.resolved.get(callee);
        if (resolved?.k !== "api_function" && resolved?.k !== "api_class") return e;
        return all(e.args);
      }
      default:
        return e;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Assignments

  #assignment(e: AssignmentExpression): void {
    const { growth } = this.#state;
    const value = this.expr(e.value);
    const target = e.target;
    const compound = e.op !== "=";
    if (e.op === "/=" || e.op === "%=") this.#division(e.op.slice(0, 1), target, e.value, e);
    if (
      target.kind === "identifier" || (target.kind === "attribute" && target.base.kind === "self")
    ) {
      const name = target.kind === "identifier" ? target : target.member;
      if (target.kind === "attribute") this.#badName(target.member);
      else if (this.#badName(target)) return;
      const binding = this.#assignable(target, name);
      if (!binding) return;
      this.#typedAssignment(binding, e);
      // `s += t` copies s and t.
      if (compound) this.#scan(e, [located(binding.cell), value], [binding.ty, this.#ty(e.value)]);
      if (!compound) {
        this.#flowInto(binding, e.value, value, e);
      } else if (isSized(binding.ty) && e.op === "+=") {
        const parts = addParts(new Map([[binding.cell, 1]]), partsOf(value));
        const what = `\`${binding.name}\``;
        if (binding.ty.t === "class" && binding.ty.name === "String") {
          const size = sumSizes(sizeOf(located(binding.cell)), sizeOf(value));
          growth.flow(binding.cell, { alias: null, parts, size }, e, what, this.#fn.id);
        } else {
          growth.mutate(binding.cell, parts, e, what, this.#fn.id, sizeOf(value));
          growth.flow(
            growth.element(binding.cell),
            { alias: null, parts: partsOf(value) },
            e,
            what,
            this.#fn.id,
          );
        }
      }
      return;
    }
    if (target.kind === "attribute") {
      this.#noStoredCallable(e.value, "an object's property");
      const before = this.violations.length;
      this.expr(target.base);
      if (this.#badName(target.member)) return;
      const ty = this.#ty(target.base);
      if (ty.t !== "class") {
        if (this.violations.length === before) {
          this.report(target.member, this.#unknownMember(ty, target.member.name));
        }
        return;
      }
      const member = API.member(ty.name, target.member.name);
      if (isClass(ty, "Timer") && target.member.name === "autostart") {
        const off = e.op === "=" && e.value.kind === "bool" && !e.value.value;
        if (!off) this.#startedTimer(target.base, e);
      }
      if (!member) {
        this.report(target.member, `${ty.name}.${target.member.name} ${NOT_PART}`);
      } else if (member.kind !== "property") {
        this.report(target.member, `${ty.name}.${target.member.name} is not a property`);
      } else if (member.spec.readonly) {
        this.report(target.member, `${ty.name}.${target.member.name} is read-only`);
      } else if (isClass(ty, "Timer") && target.member.name === "one_shot") {
        this.#oneShot(target.base, e);
      } else if (compound) {
        this.#staticType(
          apiType(member.spec.type),
          binaryType(e.op.slice(0, -1), apiType(member.spec.type), this.#ty(e.value)),
          e.value,
          `${ty.name}.${target.member.name}`,
        );
      } else {
        this.#staticType(
          apiType(member.spec.type),
          this.#ty(e.value),
          e.value,
          `${ty.name}.${target.member.name}`,
        );
      }
      return;
    }
    if (target.kind === "subscript") {
      this.#noStoredCallable(e.value, "an array or dictionary");
      const base = this.expr(target.base);
      const key = this.expr(target.index);
      const ty = this.#ty(target.base);
      const spec = ty.t === "class" ? API.classes.get(ty.name)?.index : undefined;
      if (!spec?.writes) {
        this.report(
          target,
          ty.t === "class"
            ? `${showTy(ty)} elements cannot be assigned`
            : `assigning an element of ${showTy(ty)} ${NOT_PART}: give the value a type`,
        );
        return;
      }
      if (ty.t === "class" && ty.elem && !compound) {
        this.#staticType(ty.elem, this.#ty(e.value), e.value, `an element of ${showTy(ty)}`);
      }
      const cell = base.alias ?? growth.cell();
      const what = target.base;
      // The container grows by what is stored in it (a dictionary gains an entry).
      const grows = addParts(addParts(new Map([[cell, 1]]), partsOf(key)), partsOf(value));
      const added: Size = spec.grows
        ? { n: constant(1), w: add(sizeOf(key).w, sizeOf(value).w) }
        : { n: [], w: sizeOf(value).w };
      growth.mutate(cell, grows, e, what, this.#fn.id, added);
      const element = growth.element(cell);
      const stored = compound
        ? { alias: null, parts: addParts(new Map([[element, 1]]), partsOf(value)) }
        : value;
      growth.flow(element, stored, e, "an element", this.#fn.id);
      if (spec.grows) this.#keyFlow(element, key, target.index);
      return;
    }
    this.report(target, "this cannot be assigned");
  }

  /** `x = v` or `x op= v` where x has a written or inferred type: as a declaration would. */
  #typedAssignment(binding: Binding, e: AssignmentExpression): void {
    if (!binding.declared && !binding.fixedBy) return;
    const target = binding.declared ?? binding.ty;
    const what = `\`${binding.name}\``;
    if (e.op === "=") {
      this.#slot(target, e.value, what);
      return;
    }
    const op = e.op.slice(0, -1);
    const hardValue = this.#hard(e.value);
    const result = binaryType(op, target, this.#ty(e.value));
    const hard = hardValue ? binaryType(op, target, hardValue) : null;
    this.#slotType(target, result, hard?.t === "variant" ? null : hard, what, e.value);
  }

  /**
   * A value of a type the verifier knows, where Godot's analyzer would refuse it (a Color for a
   * Vector3): the script would not compile on any client. Unknown values are checked by Godot
   * when the spell runs.
   */
  #staticType(target: Ty, ty: Ty, at: Expression, what: string): void {
    if (target.t !== "class" || (ty.t !== "class" && ty.t !== "none")) return;
    if (target.name === "Object") {
      if (ty.t === "none" || isObjectClass(ty.name)) return;
    } else if (compatible(ty, target)) {
      return;
    }
    this.report(
      at,
      `${what} takes ${article(showTy(target))}, not ${
        ty.t === "none" ? "null" : article(showTy(ty))
      }`,
    );
  }

  /**
   * `t.timeout.connect(f, flags)`: a timer that is not one-shot is fine if every callable it is
   * connected to is connected with CONNECT_ONE_SHOT (each runs once; the timer then ticks idle).
   */
  #timerConnect(call: CallExpression): void {
    const signal = call.callee.kind === "attribute" ? call.callee.base : null;
    const base = signal?.kind === "attribute" ? signal.base : null;
    const resolved = base?.kind === "identifier" ? this.#p.resolved.get(base) : undefined;
    const timer = resolved?.k === "binding" ? this.#timers.get(resolved.b) : undefined;
    const flags = call.args[1] ? this.#range(call.args[1]) : null;
    const oneShot = API.constants.get("CONNECT_ONE_SHOT")?.value ?? 4;
    const once = flags?.int === true && flags.lo === flags.hi &&
      (flags.lo & BigInt(oneShot)) !== 0n;
    if (!timer) {
      if (!once) this.#unknownConnect ??= call;
      return;
    }
    timer.connects++;
    if (once) timer.oneShotConnects++;
  }

  #timerStart(e: CallExpression): void {
    const base = e.callee.kind === "attribute" ? e.callee.base : null;
    const timer = base ? this.#startedTimer(base, e) : undefined;
    this.#starts.push({ fn: this.#fn.id, at: e, fresh: timer?.fn === this.#fn.node });
  }

  /** Records a start (`start()`, `autostart`) of the timer `base`, which it returns if known. */
  #startedTimer(base: Expression, at: Span) {
    const resolved = base.kind === "identifier" ? this.#p.resolved.get(base) : undefined;
    const timer = resolved?.k === "binding" ? this.#timers.get(resolved.b) : undefined;
    if (!timer) {
      this.#unknownStarts.push(at);
      return undefined;
    }
    timer.starts.push(at);
    if (timer.fn !== this.#fn.node || this.#state.growth.scope !== timer.scope) {
      timer.restarts = true;
    }
    return timer;
  }

  /**
   * A timer fires once per start, and each time runs every callable connected to it without
   * CONNECT_ONE_SHOT, which the budget charges once: such a timer may be started once, by one
   * `start()` (or `autostart`) outside loops in the function that makes it.
   */
  #restarts(): void {
    let connected = this.#unknownConnect !== null;
    for (const [binding, timer] of this.#timers) {
      if (timer.connects === timer.oneShotConnects) continue;
      connected = true;
      if (timer.starts.length <= 1 && !timer.restarts) continue;
      for (const at of timer.starts) {
        this.report(
          at,
          `the timer \`${binding.name}\` has callables connected to its timeout and is started ` +
            "more than once (or in a loop, or from another function): each start runs them " +
            "again, and they are counted once. Start it once where it is made, connect with " +
            "CONNECT_ONE_SHOT, or `await` its timeout instead",
        );
      }
    }
    if (!connected) return;
    for (const at of this.#unknownStarts) {
      this.report(
        at,
        "start() only a timer variable made with Timer.new() in this function when a timer has " +
          "callables connected without CONNECT_ONE_SHOT: which timer this starts is not known, " +
          "and each start runs its callables again",
      );
    }
    if (this.#unknownConnect && this.#unknownStarts.length === 0) {
      for (const [binding, timer] of this.#timers) {
        if (timer.starts.length <= 1 && !timer.restarts) continue;
        for (const at of timer.starts) {
          this.report(
            at,
            `the timer \`${binding.name}\` is started more than once while a timeout is ` +
              "connected where the timer is not known: connect to the variable made with " +
              "Timer.new(), with CONNECT_ONE_SHOT, or `await` its timeout instead",
          );
        }
      }
    }
  }

  /**
   * A timer started again from a callback the engine runs (a timer's or a tween's) could restart
   * itself without end: in those functions only timers they make themselves may be started.
   */
  #rearming(): void {
    const { flows, graph } = this.#state;
    const deferred = new Set<number>();
    for (const callback of this.#callbacks) {
      // map/filter/sort_custom… run their callable at once; the others are deferred.
      if (
        typeof callback.times === "object" && ("cell" in callback.times || "sort" in callback.times)
      ) {
        continue;
      }
      for (const fn of flows.resolve(callback.sources).fns) deferred.add(fn);
    }
    const reach = new Set<number>();
    const work = [...deferred];
    while (work.length > 0) {
      const fn = work.pop()!;
      if (reach.has(fn)) continue;
      reach.add(fn);
      for (const edge of graph.calls(fn)) work.push(edge.to);
    }
    for (const start of this.#starts) {
      if (start.fresh || !reach.has(start.fn)) continue;
      this.report(
        start.at,
        "a timer started from a callback the engine runs could restart itself without end: " +
          "start timers where they are made (a callback may start only a timer it creates)",
      );
    }
  }

  /** `set_loops(n)`: at least 1, or 0 (forever) under the rules of #forever. */
  #loopCount(arg: Expression, call: CallExpression): void {
    const range = this.#range(arg);
    if (range.int && range.lo === 0n && range.hi === 0n) {
      this.#forevers.push(call);
    } else if (!(range.int ? range.lo >= 1n : range.lo >= 1)) {
      this.report(
        arg,
        "set_loops()'s loops must be at least 1 (or a tween may loop forever under the rules " +
          "of set_loops): write a constant, or bound it with clampi()",
      );
    }
  }

  /**
   * A tween that loops forever hangs the client if a loop can take no time (only callbacks, or
   * steps on an object already freed). Allowed only for `var t := node.create_tween()` whose every
   * use animates properties of `node` itself, or waits, for at least MIN_FOREVER_STEP seconds a
   * step: the engine ends a tween when its node is freed, so its steps always take time.
   */
  #forever(call: CallExpression): void {
    const refuse = (why: string) =>
      this.report(
        call,
        `this tween would loop forever ${why}: give set_loops() a count, or keep the tween in ` +
          `a variable made by node.create_tween() that only animates node's own properties (and ` +
          `waits) for at least ${MIN_FOREVER_STEP} s a step`,
      );
    const base = call.callee.kind === "attribute" ? call.callee.base : null;
    const resolved = base?.kind === "identifier" ? this.#p.resolved.get(base) : undefined;
    // `var t := node.create_tween().set_loops(0)`: the call is part of t's initializer.
    const tween = resolved?.k === "binding" ? resolved.b : this.#chainOf.get(call) ?? null;
    let init = tween?.initializer;
    // `node.create_tween().set_loops(0).set_trans(…)`: the same tween.
    while (
      init?.kind === "call" && init.callee.kind === "attribute" &&
      TWEEN_SETTINGS.has(init.callee.member.name)
    ) {
      init = init.callee.base;
    }
    if (
      !tween || tween.kind !== "var" || tween.assignments > 0 || init?.kind !== "call" ||
      init.callee.kind !== "attribute" || init.callee.member.name !== "create_tween" ||
      init.callee.base.kind !== "identifier"
    ) {
      refuse("(it is not a variable made by node.create_tween())");
      return;
    }
    const owner = this.#p.resolved.get(init.callee.base);
    const node = owner?.k === "binding" ? owner.b : null;
    let why: string | null = null;
    walk(tween.owner ?? this.#p.script, (n, parent) => {
      if (why || n.kind !== "identifier" || parent === null) return;
      const use = this.#p.resolved.get(n);
      if (use?.k !== "binding" || use.b !== tween) return;
      why = this.#foreverUse(n, parent, node);
    });
    if (why) refuse(why);
  }

  /** Why one use of a forever tween's variable is not allowed, or null. */
  #foreverUse(
    use: Identifier,
    parent: Node,
    node: Binding | null,
  ): string | null {
    if (parent.kind !== "attribute" || parent.base !== use) return "(the tween is passed on)";
    const method = parent.member.name;
    if (TWEEN_SETTINGS.has(method) || ["kill", "is_valid", "is_running"].includes(method)) {
      return null;
    }
    const call = this.#callOf.get(parent);
    if (!call) return `(its ${method} is used)`;
    const slow = (e: Expression | undefined) =>
      e !== undefined && this.#interval(e).lo >= MIN_FOREVER_STEP;
    if (method === "tween_interval") {
      return slow(call.args[0]) ? null : "(a wait shorter than the minimum)";
    }
    if (method === "tween_property") {
      const target = call.args[0];
      const same = target?.kind === "identifier" && node !== null &&
        this.#p.resolved.get(target)?.k === "binding" &&
        (this.#p.resolved.get(target) as { b: Binding }).b === node;
      if (!same) return "(it animates another object than the node it belongs to)";
      return slow(call.args[3]) ? null : "(a step shorter than the minimum)";
    }
    return `(it runs ${method}, which can take no time)`;
  }

  /** `t.one_shot = true` on a timer variable; anything else would let a timer repeat. */
  #oneShot(base: Expression, e: AssignmentExpression): void {
    const resolved = base.kind === "identifier" ? this.#p.resolved.get(base) : undefined;
    const timer = resolved?.k === "binding" ? this.#timers.get(resolved.b) : undefined;
    if (e.op === "=" && e.value.kind === "bool" && e.value.value && timer) {
      timer.oneShot = true;
      return;
    }
    this.report(
      e,
      "a timer must be one-shot: write `t.one_shot = true` on the variable made with " +
        "Timer.new(), never false or a computed value (a repeating timer runs its callback " +
        "every time, for as long as it lives)",
    );
  }

  /** The binding an assignment target names, if it may be assigned; reports otherwise. */
  #assignable(target: Expression, name: Identifier): Binding | undefined {
    let binding: Binding | undefined;
    if (target.kind === "identifier") {
      const resolved = this.#p.resolved.get(target);
      if (resolved?.k === "binding") binding = resolved.b;
      else if (resolved?.k === "unknown") {
        this.report(name, `${name.name} ${NOT_PART}`);
        return undefined;
      }
    } else {
      const member = this.#p.members.get(name.name);
      if (member?.k === "binding") binding = member.b;
    }
    if (!binding) {
      this.report(name, `${name.name} cannot be assigned`);
      return undefined;
    }
    if (binding.kind === "const" || binding.kind === "enum_value") {
      this.report(name, `${name.name} is a constant`);
      return undefined;
    }
    return binding;
  }

  /** A value flows into a variable: its size and, for callables, what it may hold. */
  #flowInto(binding: Binding, expr: Expression, value: SizedValue, at: Span): void {
    this.#state.growth.flow(binding.cell, value, at, `\`${binding.name}\``, this.#fn.id);
    this.#callableFlow(binding.flowNode, expr, binding.ty);
  }

  /** A value flows into a callable-flow node: what it may be, if it is or becomes a Callable. */
  #callableFlow(node: number, expr: Expression, target: Ty): void {
    if (isClass(target, "Callable") || isClass(this.#ty(expr), "Callable")) {
      this.#state.flows.add(node, this.#sources(expr));
    }
  }

  /**
   * A dictionary's keys are what `for k in d`, `keys()` and `find_key` give: its element cell
   * holds them as well as its values (a copy of the key, so the key's own cell is not merged).
   */
  #keyFlow(element: number, key: SizedValue, at: Expression): void {
    const size = key.alias === null && !key.size ? this.#scalarSize(at) : sizeOf(key);
    this.#state.growth.flow(
      element,
      { alias: null, parts: partsOf(key), size },
      at,
      "a key",
      this.#fn.id,
    );
  }

  /**
   * The cell of a value: its location, or (a value not kept anywhere: a copy, a concatenation) a
   * new cell holding it, whose elements are at most the whole.
   */
  #cellOf(value: SizedValue, at: Span): number {
    if (value.alias !== null) return value.alias;
    const { growth } = this.#state;
    const cell = growth.cell();
    growth.flow(
      cell,
      { ...value, size: sizeOf(value), opaque: true },
      at,
      "this value",
      this.#fn.id,
    );
    return cell;
  }

  /**
   * An operation that reads or copies values: charged their weight of work (Budget.scan), for the
   * operands whose type has a size (strings, arrays, dictionaries; scalars are cheap).
   */
  #scan(
    at: Span,
    values: readonly (SizedValue | undefined)[],
    types: readonly (Ty | undefined)[],
    times = 1,
  ): void {
    let weight: Poly = [];
    values.forEach((value, i) => {
      const ty = types[i];
      if (value && ty && isSized(ty)) weight = add(weight, sizeOf(value).w);
    });
    if (weight.length === 0) return;
    const { budget, growth } = this.#state;
    budget.scan(this.#fn.id, growth.scope, at, scale(weight, times));
  }

  /** A cell filled from outside the spell, with its bound (and its elements'). */
  #external(cell: number, bound: ExternalBound, at: Span): void {
    const { growth } = this.#state;
    // Deeper than its elements, each value is at most its element (or the whole).
    const inner = bound.element?.weight ?? bound.weight;
    const deeper = bound.element ? growth.element(cell) : cell;
    growth.whole(deeper, { n: constant(inner), w: constant(inner) }, at, this.#fn.id);
    growth.fixed.set(cell, { n: bound.count, w: bound.weight });
    if (bound.element) {
      growth.fixed.set(growth.element(cell), { n: bound.element.count, w: bound.element.weight });
    }
  }

  /** Callables stored inside engine objects or collections cannot be followed: refused. */
  #noStoredCallable(value: Expression, where: string): void {
    if (isClass(this.#ty(value), "Callable")) {
      this.report(
        value,
        `a function value cannot be stored in ${where}: keep it in a Callable variable or pass ` +
          `it directly`,
      );
    }
  }

  // -------------------------------------------------------------------------------------------
  // Expressions

  /**
   * Checks an expression used as a value and returns what it is made of and how large it can be
   * (a value not kept anywhere is a scalar of its type).
   */
  expr(e: Expression): SizedValue {
    const value = this.#expr(e);
    if (value.alias !== null || value.size) return value;
    if (value === NO_SIZE) {
      const ty = this.#ty(e);
      const name = ty.t === "class" ? ty.name : "";
      let scalarValue = SCALAR_VALUES.get(name);
      if (!scalarValue) {
        SCALAR_VALUES.set(name, scalarValue = { ...NO_SIZE, size: scalar(name || null) });
      }
      return scalarValue;
    }
    return { ...value, size: this.#scalarSize(e) };
  }

  #scalarSize(e: Expression): Size {
    const ty = this.#ty(e);
    return scalar(ty.t === "class" ? ty.name : null);
  }

  #expr(e: Expression): SizedValue {
    switch (e.kind) {
      case "identifier":
        return this.#identifier(e);
      case "number":
        if (e.isInt && intLiteral(e.raw) === null) {
          this.report(
            e,
            "this integer does not fit in 64 bits (Godot would change it): the largest is " +
              "9223372036854775807",
          );
        }
        return NO_SIZE;
      case "bool":
      case "null":
        return NO_SIZE;
      case "string":
        if (e.stringKind === "node_path") {
          this.report(e, `NodePath literals (^"…") ${NOT_PART}: a spell cannot name nodes`);
        }
        return { alias: null, parts: null, size: text([...e.value].length) };
      case "self":
        return NO_SIZE;
      case "unary":
        this.expr(e.operand);
        return NO_SIZE;
      case "binary":
        return this.#binary(e);
      case "type_test":
        this.typeRef(e.type);
        this.expr(e.operand);
        return NO_SIZE;
      case "cast": {
        this.typeRef(e.type);
        const value = this.expr(e.operand);
        const from = this.#hard(e.operand);
        const to = typeOfRef(e.type, this.#p.members);
        if (from && !castable(from, to)) {
          this.report(e, `Godot cannot cast ${article(showTy(from))} as ${showTy(to)}`);
        }
        return value;
      }
      case "ternary": {
        this.expr(e.condition);
        const { growth } = this.#state;
        const joined = growth.cell();
        growth.flow(joined, this.expr(e.whenTrue), e.whenTrue, "this value", this.#fn.id);
        growth.flow(joined, this.expr(e.whenFalse), e.whenFalse, "this value", this.#fn.id);
        return located(joined);
      }
      case "assignment":
        this.report(e, "an assignment cannot be used as a value");
        this.#assignment(e);
        return NO_SIZE;
      case "await":
        return this.#await(e.operand);
      case "call":
        return this.#callValue(e);
      case "subscript":
        return this.#subscript(e.base, e.index, e);
      case "attribute":
        return this.#attribute(e);
      case "array": {
        const { growth } = this.#state;
        const cell = growth.cell();
        let parts: Parts = new Map();
        let weight = constant(0);
        const sizes: Size[] = [];
        for (const element of e.elements) {
          this.#noStoredCallable(element, "an array");
          const value = this.expr(element);
          growth.flow(growth.element(cell), value, element, "an element", this.#fn.id);
          parts = addParts(parts, partsOf(value));
          sizes.push(sizeOf(value));
          weight = add(weight, sizeOf(value).w);
        }
        this.#elementSizes.set(e, sizes);
        const size: Size = {
          n: constant(e.elements.length),
          w: add(weight, constant(BRACKETS + SEPARATOR * e.elements.length)),
        };
        growth.flow(cell, { alias: null, parts, size }, e, "this array", this.#fn.id);
        return located(cell);
      }
      case "dictionary": {
        const { growth } = this.#state;
        const cell = growth.cell();
        let parts: Parts = new Map();
        let weight = constant(0);
        for (const entry of e.entries) {
          if (e.style === "lua" && entry.key.kind === "string") this.#luaKey(entry.key);
          this.#noStoredCallable(entry.key, "a dictionary");
          this.#noStoredCallable(entry.value, "a dictionary");
          const key = e.style === "python"
            ? this.expr(entry.key)
            : { ...NO_SIZE, size: text((entry.key as { value?: string }).value?.length ?? 0) };
          const value = this.expr(entry.value);
          growth.flow(growth.element(cell), value, entry.value, "an element", this.#fn.id);
          this.#keyFlow(growth.element(cell), key, entry.key);
          parts = addParts(addParts(parts, partsOf(key)), partsOf(value));
          weight = add(weight, add(sizeOf(key).w, sizeOf(value).w));
        }
        const size: Size = {
          n: constant(e.entries.length),
          w: add(weight, constant(BRACKETS + (SEPARATOR + 2) * e.entries.length)),
        };
        growth.flow(cell, { alias: null, parts, size }, e, "this dictionary", this.#fn.id);
        return located(cell);
      }
      case "lambda":
        this.#lambda(e);
        return NO_SIZE;
      case "get_node":
        this.report(
          e,
          `node paths (${e.shorthand}${e.path}) ${NOT_PART}: a spell cannot reach other nodes`,
        );
        return NO_SIZE;
      case "preload":
        this.report(e, `preload ${NOT_PART}: it turns data into objects`);
        return NO_SIZE;
      case "super":
        this.report(e, `super ${NOT_PART}`);
        return NO_SIZE;
    }
  }

  /** A `{name = value}` key is data, but a forbidden name is refused wherever it is written. */
  #luaKey(key: Expression & { kind: "string" }): void {
    const why = API.forbidden.get(key.value);
    if (why !== undefined) this.report(key, `${key.value} ${NOT_PART}: it ${why}`);
  }

  #identifier(e: Identifier): SizedValue {
    if (this.#badName(e)) return NO_SIZE;
    const resolved = this.#p.resolved.get(e);
    switch (resolved?.k) {
      case "binding": {
        if (isClass(resolved.b.ty, "Callable")) this.#use(e, false);
        const cell = resolved.b.cell;
        // A number or vector is at most its type's width, whatever flowed (or did not flow:
        // loop variables, callback parameters) into its cell.
        const ty = this.#ty(e);
        if (ty.t === "class" && isScalarType(ty.name)) {
          return { ...located(cell), size: scalar(ty.name) };
        }
        return located(cell);
      }
      case "func":
        this.#use(e, false);
        return NO_SIZE;
      case "base_method":
      case "api_constant":
        return NO_SIZE;
      case "enum":
        this.report(e, `the enum ${e.name} can only be used as ${e.name}.VALUE`);
        return NO_SIZE;
      case "api_class":
        this.report(
          e,
          `the class ${e.name} can only be used as ${e.name}.new(), ${e.name}(…), ` +
            `${e.name}.CONSTANT or as a type`,
        );
        return NO_SIZE;
      case "api_function":
        this.report(e, `${e.name} can only be called`);
        return NO_SIZE;
      default:
        this.report(e, `${e.name} ${NOT_PART}`);
        return NO_SIZE;
    }
  }

  #unknownMember(ty: Ty, member: string): string {
    if (ty.t === "variant" || ty.t === "none") {
      return `.${member} on a value of unknown type ${NOT_PART}: give the value a type first ` +
        `(e.g. var d: Dictionary = …)`;
    }
    return `${member} ${NOT_PART} for ${showTy(ty)}`;
  }

  #attribute(e: Expression & { kind: "attribute" }): SizedValue {
    if (this.#badName(e.member)) {
      this.expr(e.base);
      return NO_SIZE;
    }
    const name = e.member.name;
    const baseResolved = e.base.kind === "identifier" ? this.#p.resolved.get(e.base) : undefined;
    if (baseResolved?.k === "api_class") {
      if (!this.#badName(e.base as Identifier) && !API.classConstant(baseResolved.name, name)) {
        this.report(e.member, `${baseResolved.name}.${name} ${NOT_PART}`);
      }
      return NO_SIZE;
    }
    if (baseResolved?.k === "enum") {
      if (!baseResolved.info.values.has(name)) {
        this.report(e.member, `${baseResolved.info.name}.${name} is not a value of the enum`);
      }
      return NO_SIZE;
    }
    const before = this.violations.length;
    this.expr(e.base);
    const ty = this.#ty(e.base);
    if (ty.t === "self") {
      if (e.base.kind !== "self") {
        this.report(e.member, SELF_ALIAS);
        return NO_SIZE;
      }
      const member = this.#p.members.get(name);
      if (member?.k === "binding") {
        if (isClass(member.b.ty, "Callable")) this.#use(e, false);
        return located(member.b.cell);
      }
      if (member?.k === "func") {
        this.#use(e, false);
        return NO_SIZE;
      }
      if (API.member(API.api.base, name)?.kind !== "method") {
        this.report(e.member, `self.${name} ${NOT_PART}`);
      }
      return NO_SIZE;
    }
    if (ty.t !== "class") {
      // A base already refused says enough; its type is unknown because of that.
      if (this.violations.length === before) this.report(e.member, this.#unknownMember(ty, name));
      return NO_SIZE;
    }
    const member = API.member(ty.name, name);
    if (!member) {
      this.report(e.member, `${ty.name}.${name} ${NOT_PART}`);
      return NO_SIZE;
    }
    if (member.kind === "method") {
      if (member.spec.capability) this.#capability(member.spec.capability, e);
      const why = notAFunctionValue(member.spec);
      if (why) this.report(e.member, `${ty.name}.${name} cannot be a function value: ${why}`);
    }
    if (member.kind === "property" && isSized(apiType(member.spec.type))) {
      const { growth } = this.#state;
      const cell = growth.namedCell(`${member.owner.name}.${name}`);
      // Filled by the client (the caster's parameters, ids): bounded by the API.
      if (member.spec.bound && !growth.fixed.has(cell)) this.#external(cell, member.spec.bound, e);
      // The client's dictionaries are shared by reference (strings are copied).
      if (member.owner.name === "SpellContext" && member.spec.type === "Dictionary") {
        growth.readOnly(cell, `ctx.${name}`);
      }
      return { alias: cell, parts: new Map() };
    }
    return NO_SIZE;
  }

  #subscript(baseExpr: Expression, index: Expression, at: Span): SizedValue {
    const base = this.expr(baseExpr);
    const key = this.expr(index);
    const ty = this.#ty(baseExpr);
    const spec = ty.t === "class" ? API.classes.get(ty.name)?.index : undefined;
    if (!spec) {
      this.report(
        at,
        ty.t === "class" || ty.t === "self"
          ? `${showTy(ty)} cannot be indexed`
          : `indexing a value of unknown type ${NOT_PART}: give the value a type first`,
      );
      return NO_SIZE;
    }
    // A character of a text.
    if (isClass(ty, "String")) return { ...NO_SIZE, size: text(1) };
    // A dictionary hashes (and compares) its key.
    if (isClass(ty, "Dictionary")) this.#scan(at, [key], [this.#ty(index)]);
    const { growth } = this.#state;
    const element = growth.element(this.#cellOf(base, at));
    return located(element);
  }

  #binary(e: Expression & { kind: "binary" }): SizedValue {
    const left = this.expr(e.left);
    const right = this.expr(e.right);
    const lty = this.#ty(e.left);
    const rty = this.#ty(e.right);
    // Comparing, concatenating, formatting or searching sized values reads all of them.
    if (!["and", "or"].includes(e.op)) this.#scan(e, [left, right], [lty, rty]);
    if (e.op === "/" || (e.op === "%" && isClass(lty, "int"))) {
      this.#division(e.op, e.left, e.right, e);
    }
    this.#operands(e.op, lty, rty, e);
    if (e.op === "%" && isClass(lty, "float")) {
      this.report(e, "% is for ints (and format strings): use fmod() or fposmod() for floats");
    }
    if (e.op === "%" && !isClass(lty, "int") && !isClass(lty, "float")) {
      if (e.left.kind === "string" && e.left.stringKind === "string") {
        const problem = checkFormat(e.left.value, API.api.limits.maxFormatWidth);
        if (problem) this.report(e.left, `this format string has ${problem}`);
      } else if (isClass(lty, "String")) {
        this.report(e.left, "the format of % must be a string literal");
      } else {
        this.report(e, `% on ${showTy(lty)} ${NOT_PART}: give the value a type first`);
      }
      // The format, and each value printed, padded to at most the widest format width.
      const width = API.api.limits.maxFormatWidth;
      const values = e.right.kind === "array" ? e.right.elements : [e.right];
      const sizes = e.right.kind === "array"
        ? this.#elementSizes.get(e.right) ?? []
        : [sizeOf(right)];
      const printedValues = printed(
        sizes,
        (i) => isClass(this.#ty(values[i]!), "String"),
        width,
      );
      const size = textOf(add(sizeOf(left).n, printedValues.n));
      this.#state.budget.check(size, e, "this text");
      return { alias: null, parts: partsOf(right), size };
    }
    if (e.op === "in" || e.op === "not in") {
      const ok = rty.t === "class" &&
        ["Array", "Dictionary", "String", "PackedStringArray"].includes(rty.name);
      if (!ok) {
        this.report(
          e.right,
          `\`${e.op}\` needs an array, a dictionary or a string of a known type on its right`,
        );
      }
      return NO_SIZE;
    }
    if (e.op === "+" && (isSized(lty) || isSized(rty))) {
      const size = sumSizes(sizeOf(left), sizeOf(right));
      this.#state.budget.check(size, e, "this value");
      // A new array sharing the operands' elements, which are not followed: opaque.
      return { alias: null, parts: addParts(partsOf(left), partsOf(right)), size, opaque: true };
    }
    return NO_SIZE;
  }

  /** Operands Godot's analyzer refuses (`Vector3 + 1`, `1 == "a"`): the script would not compile. */
  #operands(op: string, l: Ty, r: Ty, at: Span): void {
    if (l.t !== "class" || r.t !== "class") return;
    if (["==", "!=", "<", "<=", ">", ">="].includes(op)) {
      if (!comparable(op, l, r)) {
        this.report(
          at,
          `Godot cannot compare ${article(showTy(l))} with ${article(showTy(r))} (${op})`,
        );
      }
      return;
    }
    if (["and", "or", "in", "not in", "%"].includes(op)) return;
    if (binaryType(op, l, r).t === "variant") {
      this.report(
        at,
        `Godot cannot apply ${op} to ${article(showTy(l))} and ${article(showTy(r))}`,
      );
    }
  }

  /**
   * An integer division or remainder must not trap: Godot's release builds divide without checking,
   * so `x / 0`, `x % 0` and `INT64_MIN / -1` end the client (a wasm trap, SIGFPE on a desktop), at
   * run time or already when the compiler folds constants. Unless one operand is a float, the
   * divisor must fold to a range without 0, and without -1 unless the dividend cannot be
   * INT64_MIN. Vector3i divides its 32-bit components the same way.
   */
  #division(op: string, left: Expression, right: Expression, at: Span): void {
    const lty = this.#ty(left);
    const rty = this.#ty(right);
    const floating = (ty: Ty) => ty.t === "class" && ty.name !== "int" && ty.name !== "Vector3i";
    if (floating(lty) || floating(rty)) return;
    const what = op === "/" ? "division" : "remainder";
    if (isClass(lty, "Vector3i") || isClass(rty, "Vector3i")) {
      const d = this.#range(right);
      if (!(isClass(rty, "int") && d.int && d.lo === d.hi && d.lo > 0n)) {
        this.report(
          at,
          `a Vector3i ${what} must be by a positive int constant: dividing by 0, or the smallest ` +
            `int by -1, crashes every client`,
        );
      }
      return;
    }
    const d = this.#range(right);
    const has = (r: Range, v: bigint) =>
      r.int ? r.lo <= v && v <= r.hi : r.lo <= Number(v) && Number(v) <= r.hi;
    if (has(d, 0n)) {
      this.report(
        at,
        `this integer ${what} may be by 0, which crashes every client (release builds do not ` +
          `check it): divide by a constant, by maxi(n, 1), or by a float (x / 2.0)`,
      );
    } else if (has(d, -1n) && has(this.#range(left), INT64_MIN)) {
      this.report(
        at,
        `this integer ${what} may be -9223372036854775808 by -1, which crashes every client: ` +
          `keep the divisor away from -1 (maxi(n, 1)) or the dividend above the smallest int`,
      );
    }
  }

  /** `posmod(x, y)` and `wrapi(v, lo, hi)` divide too (Godot checks only for 0). */
  #integerTraps(name: string, e: CallExpression): void {
    const [a, b, c] = e.args;
    let divisor: Range | null = null;
    let dividend: Range = ANY_INT;
    if (name === "posmod" && a && b) {
      divisor = this.#range(b);
      dividend = this.#range(a);
    } else if (name === "wrapi" && b && c) {
      // wrapi divides (v - lo) by (hi - lo).
      const lo = this.#range(b);
      const hi = this.#range(c);
      if (lo.int && hi.int) divisor = { int: true, lo: hi.lo - lo.hi, hi: hi.hi - lo.lo };
      else divisor = ANY_INT;
    }
    if (!divisor || !divisor.int) return;
    const hasMinusOne = divisor.lo <= -1n && -1n <= divisor.hi;
    const minDividend = !dividend.int || dividend.lo <= INT64_MIN;
    if (hasMinusOne && (name === "wrapi" || minDividend)) {
      this.report(
        e,
        `${name}() divides by ${name === "wrapi" ? "max - min" : "its second argument"}, which ` +
          `may be -1: with the smallest int that crashes desktop clients; use constants`,
      );
    }
  }

  #await(operand: Expression): SizedValue {
    const value = this.expr(operand);
    const ty = this.#ty(operand);
    const ownCall = operand.kind === "call" && this.#ownFunction(operand.callee) !== undefined;
    if (!isClass(ty, "Signal") && !ownCall) {
      this.report(
        operand,
        "await needs a signal (such as timer.timeout) or a call of one of the spell's functions",
      );
    }
    return value;
  }

  /** The spell's own function a callee names (`f`, `self.f`), if it does. */
  #ownFunction(callee: Expression): FnInfo | undefined {
    if (callee.kind === "identifier") {
      const resolved = this.#p.resolved.get(callee);
      return resolved?.k === "func" && resolved.fn.node.kind === "func" ? resolved.fn : undefined;
    }
    if (callee.kind === "attribute" && callee.base.kind === "self") {
      const member = this.#p.members.get(callee.member.name);
      return member?.k === "func" ? member.fn : undefined;
    }
    return undefined;
  }

  #lambda(e: LambdaExpression): void {
    const fn = this.#p.lambdas.get(e)!;
    this.#use(e, false);
    if (e.name) this.declaredName(e.name);
    if (e.restParam) {
      this.report(e.restParam, "variadic parameters (...) are not part of SpellScript");
    }
    this.typeRef(e.returnType, true);
    this.#withFn(fn, () => {
      this.#params(e.params);
      this.#block(e.body);
    });
  }

  // -------------------------------------------------------------------------------------------
  // Calls

  /** A call used as a value must give one: Godot refuses the result of a void call. */
  #callValue(e: CallExpression): SizedValue {
    const statement = this.#statementCall === e;
    this.#statementCall = null;
    const value = this.#call(e);
    if (!statement && this.#ty(e).t === "void") {
      this.report(e, "this call gives no value (it returns void): it can only be a statement");
    }
    return value;
  }

  #call(e: CallExpression): SizedValue {
    const callee = e.callee;
    if (callee.kind === "super") {
      this.report(callee, `super ${NOT_PART}`);
      for (const arg of e.args) this.expr(arg);
      return NO_SIZE;
    }
    const own = this.#ownFunction(callee);
    if (own) {
      if (callee.kind === "attribute") this.#badName(callee.member);
      return this.#ownCall(own, e);
    }
    if (callee.kind === "identifier") return this.#globalCall(callee, e);
    if (callee.kind === "attribute") return this.#methodCall(callee, e);
    this.report(callee, "only functions and methods can be called, by name");
    for (const arg of e.args) this.expr(arg);
    return NO_SIZE;
  }

  #ownCall(fn: FnInfo, e: CallExpression): SizedValue {
    const { growth, graph, budget } = this.#state;
    graph.edge(this.#fn.id, fn.id, e);
    budget.call(this.#fn.id, growth.scope, fn.id, e);
    const decl = fn.node as FuncDecl;
    const required = decl.params.filter((p) => !p.default).length;
    if (e.args.length < required || e.args.length > decl.params.length) {
      const most = decl.params.length;
      this.report(
        e,
        `${fn.name}() takes ${required === most ? `${most}` : `${required} to ${most}`} argument${
          most === 1 ? "" : "s"
        }`,
      );
    }
    e.args.forEach((arg, i) => {
      const value = this.expr(arg);
      const param = fn.params[i];
      if (!param) return;
      growth.flow(param.cell, value, arg, `\`${param.name}\``, this.#fn.id);
      this.#callableFlow(param.flowNode, arg, param.ty);
      const target = param.declared ?? (param.fixedBy ? param.ty : null);
      if (target && target.t !== "variant") {
        this.#slot(target, arg, `${fn.name}()'s \`${param.name}\``);
      }
    });
    return located(fn.retCell);
  }

  #globalCall(callee: Identifier, e: CallExpression): SizedValue {
    if (this.#badName(callee)) {
      for (const arg of e.args) this.expr(arg);
      return NO_SIZE;
    }
    const resolved = this.#p.resolved.get(callee);
    switch (resolved?.k) {
      case "base_method":
        return this.#apiCall(resolved.spec, e, null, null);
      case "api_function":
        if (resolved.spec.name === "range") {
          this.report(callee, "range() can only be the iterable of a for loop");
        }
        return this.#apiCall(resolved.spec, e, null, null);
      case "api_class":
        return this.#construct(resolved.name, callee, e);
      case "binding":
      case "func":
        this.report(
          callee,
          `${callee.name} is a function value: spells cannot call function values (only the ` +
            `engine does)`,
        );
        break;
      case "enum":
        this.report(callee, `the enum ${callee.name} cannot be called`);
        break;
      default:
        this.report(
          callee,
          `${callee.name} ${NOT_PART}` + (GLOBAL_RANDOM.has(callee.name) ? RANDOM_HINT : ""),
        );
    }
    for (const arg of e.args) this.expr(arg);
    return NO_SIZE;
  }

  /** `Vector3(…)`, `Color(…)`, `int(x)`: a built-in value type's constructor. */
  #construct(name: string, callee: Identifier, e: CallExpression): SizedValue {
    const spec = API.classes.get(name)!;
    const overloads = spec.constructors ?? [];
    let parts: Parts = new Map();
    const sizes: Size[] = [];
    const values: SizedValue[] = [];
    for (const arg of e.args) {
      this.#noStoredCallable(arg, `a ${name}`);
      const value = this.expr(arg);
      values.push(value);
      parts = addParts(parts, partsOf(value));
      sizes.push(sizeOf(value));
    }
    // A copy, or a conversion to text, reads all of its argument.
    this.#scan(e, values, e.args.map((arg) => this.#ty(arg)));
    if (!overloads.some((params) => params.length === e.args.length)) {
      this.report(
        callee,
        overloads.length === 0
          ? `${name}(…) ${NOT_PART}` + (spec.instantiable ? `: use ${name}.new()` : "")
          : `${name}(…) with ${e.args.length} argument${
            e.args.length === 1 ? "" : "s"
          } ${NOT_PART}`,
      );
    }
    if (!spec.sized) return NO_SIZE;
    // String(x) prints x; Array(x), Dictionary(x), PackedStringArray(x) copy x.
    const size = name === "String"
      ? printed(sizes, (i) => isClass(this.#ty(e.args[i]!), "String"))
      : sizes[0] ?? { n: [], w: [] };
    // A copy: its elements are at most the whole.
    return { alias: null, parts, size, opaque: name !== "String" };
  }

  #methodCall(callee: Expression & { kind: "attribute" }, e: CallExpression): SizedValue {
    const name = callee.member.name;
    this.#callOf.set(callee, e);
    const skipArgs = () => {
      for (const arg of e.args) this.expr(arg);
      return NO_SIZE;
    };
    if (this.#badName(callee.member)) {
      this.expr(callee.base);
      return skipArgs();
    }
    const baseResolved = callee.base.kind === "identifier"
      ? this.#p.resolved.get(callee.base)
      : undefined;
    if (baseResolved?.k === "api_class") {
      const className = baseResolved.name;
      if (this.#badName(callee.base as Identifier)) return skipArgs();
      if (name === "new") {
        if (!API.classes.get(className)!.instantiable) {
          this.report(callee.member, `${className}.new() ${NOT_PART}`);
        } else if (e.args.length > 0) {
          this.report(callee.member, `${className}.new() takes no arguments`);
        }
        if (API.inherits(className, "Node")) {
          this.#state.budget.charge(this.#fn.id, this.#state.growth.scope, "objects", e);
        }
        if (className === "Timer" && this.#timerInit !== e) {
          this.report(
            e,
            "create a timer as `var t := Timer.new()` and set `t.one_shot = true`: a timer " +
              "must be one-shot, and the verifier checks it through that variable",
          );
        }
        return skipArgs();
      }
      const spec = API.staticMethod(className, name);
      if (!spec) {
        this.report(callee.member, `${className}.${name}() ${NOT_PART}`);
        return skipArgs();
      }
      return this.#apiCall(spec, e, null, null);
    }
    if (baseResolved?.k === "enum") {
      this.report(callee.member, `${baseResolved.info.name}.${name}() ${NOT_PART}`);
      return skipArgs();
    }
    const before = this.violations.length;
    const base = this.expr(callee.base);
    const ty = this.#ty(callee.base);
    if (ty.t === "self") {
      const inherited = API.member(API.api.base, name);
      if (callee.base.kind !== "self") this.report(callee.member, SELF_ALIAS);
      else if (inherited?.kind === "method") return this.#apiCall(inherited.spec, e, ty, base);
      else this.report(callee.member, `self.${name}() ${NOT_PART}`);
      return skipArgs();
    }
    if (ty.t !== "class") {
      if (this.violations.length === before) {
        this.report(callee.member, this.#unknownMember(ty, name));
      }
      return skipArgs();
    }
    const member = API.member(ty.name, name);
    if (!member) {
      this.report(callee.member, `${ty.name}.${name}() ${NOT_PART}`);
      return skipArgs();
    }
    if (member.kind !== "method") {
      this.report(callee.member, `${ty.name}.${name} is not a method`);
      return skipArgs();
    }
    return this.#apiCall(member.spec, e, ty, base);
  }

  /** A call of an API function or method: arguments, literals, bounds, capability, sizes. */
  #apiCall(
    spec: MethodSpec,
    e: CallExpression,
    receiverTy: Ty | null,
    receiver: SizedValue | null,
  ): SizedValue {
    const { growth } = this.#state;
    const args = e.args.map((arg) => this.expr(arg));
    const required = spec.params.filter((p) => !p.optional).length;
    if (e.args.length < required || (!spec.varargs && e.args.length > spec.params.length)) {
      const most = spec.varargs ? "or more" : `to ${spec.params.length}`;
      this.report(
        e,
        required === spec.params.length && !spec.varargs
          ? `${spec.name}() takes ${required} argument${required === 1 ? "" : "s"}`
          : `${spec.name}() takes ${required} ${most} arguments`,
      );
    }
    if (spec.capability) this.#capability(spec.capability, e);
    if (!receiverTy) this.#integerTraps(spec.name, e);
    if (receiverTy && isClass(receiverTy, "Timer") && spec.name === "start") this.#timerStart(e);
    if (receiverTy && isClass(receiverTy, "Tween") && spec.name === "set_loops" && !e.args[0]) {
      this.#forevers.push(e);
    }
    const argSizes = args.map(sizeOf);
    const isString = (i: number) =>
      e.args[i] !== undefined && isClass(this.#ty(e.args[i]!), "String");
    this.#charges(spec, e, argSizes, isString, receiverTy);
    // Reading, searching or copying its sized receiver and arguments takes time; a sort compares
    // each element about log2(n) times (at most 12 for 4,096 elements).
    const className = receiverTy?.t === "class" ? receiverTy.name : "";
    const readsAll = !CONSTANT_TIME.has(`${className}.${spec.name}`);
    this.#scan(
      e,
      [readsAll ? receiver ?? undefined : undefined, ...args],
      [receiverTy ?? undefined, ...e.args.map((arg) => this.#ty(arg))],
      spec.name === "sort" || spec.name === "sort_custom" ? 12 : 1,
    );
    const callbackResult = growth.cell();
    if (receiverTy && isClass(receiverTy, "Callable") && spec.name === "bind") this.#bind(e, args);
    e.args.forEach((arg, i) => {
      const param = spec.params[i];
      if (!param) {
        if (!READ_ONLY_FUNCTIONS.has(spec.name)) this.#noStoredCallable(arg, `${spec.name}()`);
        return;
      }
      this.#argument(spec, param, arg, e, receiver, args, callbackResult, receiverTy);
    });
    const sizes = spec.sizes;
    const cellOf = (value: SizedValue | null) => value ? this.#cellOf(value, e) : growth.cell();
    const termParts = (term: SizeTerm): Parts => {
      let parts: Parts;
      if (term.from === "receiver") parts = receiver ? partsOf(receiver) : new Map();
      else if (term.from === "callback") parts = new Map([[callbackResult, 1]]);
      else if (term.from === "args") {
        parts = args.reduce((all, a) => addParts(all, partsOf(a)), new Map());
      } else parts = args[term.from] ? partsOf(args[term.from]!) : new Map();
      const times = term.times === undefined
        ? 1
        : term.times === "many"
        ? Infinity
        : typeof term.times === "number"
        ? term.times
        : e.args[term.times.arg]
        ? Math.max(1, this.#interval(e.args[term.times.arg]!).hi)
        : 1;
      return times === 1 ? parts : addParts(new Map(), parts, times);
    };
    if (sizes?.grows && receiver) {
      const target = cellOf(receiver);
      if (spec.name === "resize") {
        // The new elements are null, or the element type's default.
        const elem = receiverTy?.t === "class" && receiverTy.elem?.t === "class"
          ? receiverTy.elem.name
          : null;
        const fill = { alias: null, parts: null, size: scalar(elem) };
        growth.flow(growth.element(target), fill, e, "an element", this.#fn.id);
      }
      let parts: Parts = new Map([[target, 1]]);
      for (const term of sizes.grows) {
        parts = addParts(parts, termParts(term));
        if (typeof term.from === "number" && args[term.from]) {
          growth.flow(
            growth.element(target),
            args[term.from]!,
            e.args[term.from]!,
            "an element",
            this.#fn.id,
          );
        }
      }
      const added = addedSize(spec.name, sizeOf(located(target)), argSizes, {
        argHi: (i) => (e.args[i] ? this.#interval(e.args[i]!).hi : 0),
        argLo: (i) => (e.args[i] ? this.#interval(e.args[i]!).lo : -Infinity),
        isString,
        callback: sizeOf(located(callbackResult)),
      }) ?? argSizes.reduce(sumSizes, { n: [], w: [] });
      growth.mutate(
        target,
        parts,
        e,
        (e.callee as { base: Expression }).base,
        this.#fn.id,
        added,
      );
    } else if (spec.mutates && receiver) {
      const target = cellOf(receiver);
      growth.mutate(target, new Map([[target, 1]]), e, "this value", this.#fn.id, {
        n: [],
        w: [],
      });
    }
    const returns = apiType(spec.returns, receiverTy ?? undefined);
    if (spec.name === "get_param" && (!receiverTy || receiverTy.t === "self")) {
      // A value of ctx.params, shared with the client like the dictionary itself.
      const params = growth.namedCell("SpellContext.params");
      growth.readOnly(params, "ctx.params");
      return located(growth.element(params));
    }
    if (spec.returns === "Element" && receiver) {
      const element = growth.element(cellOf(receiver));
      // An element, or the default `get(key, default)` returns: the default bounds the element
      // cell too (as a copy). Adding it to the element's own size instead would make a variable
      // that takes the result (and so shares the element's cell) feed itself on every run.
      if (spec.name === "get") {
        args.slice(1).forEach((value, i) => {
          const copy = { alias: null, parts: partsOf(value), size: sizeOf(value) };
          growth.flow(element, copy, e.args[i + 1]!, "a default", this.#fn.id);
        });
      }
      return located(element);
    }
    if (spec.bound) {
      // Filled by the world: its own fresh value, bounded by the API.
      const result = growth.cell();
      this.#external(result, spec.bound, e);
      return located(result);
    }
    let parts: Parts;
    if (sizes?.result) {
      parts = sizes.result.reduce((all, t) => addParts(all, termParts(t)), new Map());
    } else if (isSized(returns) && returns.t !== "variant") {
      parts = receiver ? partsOf(receiver) : new Map();
      for (const a of args) parts = addParts(parts, partsOf(a));
    } else {
      return NO_SIZE;
    }
    const owner = receiverTy?.t === "class" ? receiverTy.name : receiverTy ? "self" : null;
    const size = resultSize(owner, spec.name, receiver ? sizeOf(receiver) : null, argSizes, {
      argHi: (i) => (e.args[i] ? this.#interval(e.args[i]!).hi : 0),
      argLo: (i) => (e.args[i] ? this.#interval(e.args[i]!).lo : -Infinity),
      isString,
      callback: sizeOf(located(callbackResult)),
    }) ?? argSizes.reduce(sumSizes, receiver ? sizeOf(receiver) : { n: [], w: [] });
    this.#state.budget.check(size, e, "this value");
    if (!isCollection(returns)) return { alias: null, parts, size };
    // A new collection (slice, filter, map, keys, split…): its elements are the receiver's
    // elements (shared), pieces of a text receiver, or what the callable returned.
    const result = growth.cell();
    growth.flow(result, { alias: null, parts, size }, e, "this value", this.#fn.id);
    const element = growth.element(result);
    const deepCopy = spec.name === "duplicate" && e.args[0]?.kind === "bool" && e.args[0].value;
    const isText = receiverTy !== null && isClass(receiverTy, "String");
    if (receiver?.alias !== undefined && receiver.alias !== null && !deepCopy && !isText) {
      growth.merge(element, growth.element(receiver.alias));
    } else {
      // Pieces of a text, deep copies, elements of a temporary's result: not followed, each is
      // at most the whole (an element no step feeds would weigh nothing).
      growth.whole(result, size, e, this.#fn.id, parts);
    }
    if (spec.sizes?.result?.some((term) => term.from === "callback")) {
      growth.merge(element, callbackResult);
    }
    return located(result);
  }

  /**
   * What a call costs the run that makes it: world calls are work, some create engine objects
   * that live on, prints (the spell's, and the world calls' own) are counted and sized.
   */
  #charges(
    spec: MethodSpec,
    e: CallExpression,
    args: readonly Size[],
    isString: (i: number) => boolean,
    receiverTy: Ty | null,
  ): void {
    const { budget, growth } = this.#state;
    const fn = this.#fn.id;
    if (spec.capability || spec.prints) {
      budget.charge(
        fn,
        growth.scope,
        "work",
        e,
        spec.prints ? printed(args, isString).n : undefined,
      );
    }
    if (spec.creates) budget.charge(fn, growth.scope, "objects", e);
    if (!receiverTy && PRINTS.has(spec.name)) {
      budget.charge(fn, growth.scope, "prints", e, printed(args, isString).n);
    }
  }

  /** One argument of an API call against its parameter. */
  #argument(
    spec: MethodSpec,
    param: ParamSpec,
    arg: Expression,
    call: CallExpression,
    receiver: SizedValue | null,
    args: readonly SizedValue[],
    callbackResult: number,
    receiverTy: Ty | null,
  ): void {
    const where = `${spec.name}()'s ${param.name}`;
    if (param.type === "Callable") {
      const ty = this.#ty(arg);
      if (!isClass(ty, "Callable")) {
        this.report(arg, `${where} must be a lambda or one of the spell's functions`);
        return;
      }
      const sources = this.#sources(arg);
      this.#uses.push({ fn: this.#fn.id, sources, at: arg, strict: true });
      this.#pendingCallback(spec, sources, arg, receiver, call);
      const receiverExpr = call.callee.kind === "attribute" ? call.callee.base : null;
      if (param.callback?.some((from) => from.includes("element")) && receiver && receiverExpr) {
        // map/filter/reduce/any/all/sort_custom walk the receiver while calling the callable:
        // like a for loop, the callable may not change it.
        const { growth } = this.#state;
        const collection = this.#cellOf(receiver, arg);
        growth.loop(collection, this.#fn.id, arg, arg.start, arg.end, receiverExpr);
      }
      if (param.callback) {
        const { growth } = this.#state;
        const element = () =>
          growth.element(receiver ? this.#cellOf(receiver, arg) : growth.cell());
        const params = param.callback.map((from) =>
          from.map((source) =>
            source === "element"
              ? element()
              : source === "callback"
              ? callbackResult
              : this.#passed(args[source], call.args[source], arg)
          )
        );
        // A signal passes its own values (`loop_finished`'s loop index).
        for (const type of spec.name === "connect" ? this.#signalParams(call) : []) {
          params.push([this.#passed({ ...NO_SIZE, size: scalar(type) }, undefined, arg)]);
        }
        this.#wirings.push({ sources, result: callbackResult, params });
      }
      return;
    }
    this.#noStoredCallable(arg, where);
    this.#staticType(apiType(param.type, receiverTy ?? undefined), this.#ty(arg), arg, where);
    if (param.max !== undefined || param.min !== undefined) {
      const { lo, hi } = this.#interval(arg);
      if (param.max !== undefined && !(hi <= param.max)) {
        this.report(
          arg,
          `${where} must be at most ${param.max}: write a constant, or cap it with mini() or ` +
            `clampi()`,
        );
      } else if (param.min !== undefined && !(lo >= param.min)) {
        this.report(
          arg,
          `${where} must be at least ${param.min}: write a constant, or bound it with maxi() or ` +
            `clampi()`,
        );
      }
      if (spec.name === "set_loops") this.#tweenLoops = Math.max(this.#tweenLoops, hi);
    }
    if (spec.name === "set_loops") this.#loopCount(arg, call);
    switch (param.literal?.kind) {
      case "asset_path":
        if (!isAssetPath(arg)) {
          this.report(
            arg,
            `${where} must be a string literal naming a file of the spell's package ` +
              `("assets/…"); an engine path would load anything`,
          );
        }
        break;
      case "property_path":
        this.#propertyPath(where, arg, call.args[param.literal.of]);
        break;
      case "options":
        this.#options(where, arg, param.literal.keys);
        break;
      case "flags": {
        const { lo, hi } = this.#interval(arg);
        const { mask, names } = param.literal;
        if (!(lo === hi && Number.isInteger(lo) && lo >= 0 && (lo & ~mask) === 0)) {
          this.report(arg, `${where} must combine constants among ${names.join(", ")} with |`);
        }
        break;
      }
    }
  }

  /**
   * The cell of a value the engine passes to a callable: the value's own, or a new one holding a
   * scalar of its type (an unfed cell would weigh nothing, and `str(v).repeat(…)` with it).
   */
  #passed(value: SizedValue | undefined, expr: Expression | undefined, at: Span): number {
    if (value?.alias !== undefined && value.alias !== null) return value.alias;
    const { growth } = this.#state;
    const cell = growth.cell();
    const size = value?.size ?? (expr ? this.#scalarSize(expr) : SCALAR);
    growth.flow(
      cell,
      { alias: null, parts: null, size },
      at,
      "a value the engine passes",
      this.#fn.id,
    );
    return cell;
  }

  /** The types of the values the signal of `signal.connect(…)` passes. */
  #signalParams(call: CallExpression): readonly string[] {
    const signal = call.callee.kind === "attribute" ? call.callee.base : null;
    if (signal?.kind !== "attribute") return [];
    const owner = this.#ty(signal.base);
    if (owner.t !== "class") return [];
    const member = API.member(owner.name, signal.member.name);
    return member?.kind === "signal" ? member.spec.params : [];
  }

  /**
   * A callable the engine will call: the run that hands it over pays for every call (`map` once
   * per element, a sort n·log n times, a tween step once per loop, a signal once: timers are
   * one-shot).
   */
  #pendingCallback(
    spec: MethodSpec,
    sources: CallableSources,
    at: Expression,
    receiver: SizedValue | null,
    call: CallExpression,
  ): void {
    const { growth } = this.#state;
    const collection = () => receiver?.alias ?? growth.cell();
    let times: PendingCallback["times"];
    switch (spec.name) {
      case "map":
      case "filter":
      case "reduce":
      case "any":
      case "all":
        times = { cell: collection() };
        break;
      case "sort_custom":
        times = { sort: collection() };
        break;
      case "tween_callback":
        times = "tween";
        break;
      case "tween_method": {
        // Called every frame of the step, not once: charged per frame of its (bounded) duration.
        const duration = call.args[3];
        const seconds = duration ? Math.max(0, this.#interval(duration).hi) : Infinity;
        times = { frames: Math.ceil(seconds * TWEEN_METHOD_CALLS_PER_SECOND) + 1 };
        break;
      }
      case "connect": {
        const signal = call.callee.kind === "attribute" && call.callee.base.kind === "attribute"
          ? call.callee.base.member.name
          : "";
        times = signal === "loop_finished" ? "tween_loops" : { k: 1 };
        if (signal === "timeout") this.#timerConnect(call);
        break;
      }
      default:
        times = { k: 1 };
    }
    this.#callbacks.push({ fn: this.#fn.id, scope: growth.scope, sources, at, times });
  }

  /** `f.bind(a, b)`: the bound values reach the parameters of whatever `f` may be. */
  #bind(e: CallExpression, args: readonly SizedValue[]): void {
    if (e.callee.kind !== "attribute") return;
    const { growth } = this.#state;
    const cells = args.map((value, i) => {
      const cell = growth.cell();
      growth.flow(cell, value, e.args[i]!, "a bound value", this.#fn.id);
      return cell;
    });
    this.#wirings.push({
      sources: this.#sources(e.callee.base),
      result: growth.cell(),
      params: [],
      everyParam: cells,
    });
  }

  #propertyPath(where: string, arg: Expression, object: Expression | undefined): void {
    if (arg.kind !== "string" || arg.stringKind === "node_path") {
      this.report(arg, `${where} must be a string literal naming a property, like "position"`);
      return;
    }
    const ty = object ? this.#ty(object) : undefined;
    if (!ty || ty.t !== "class") {
      this.report(arg, `${where} needs an object of a known type to name its property`);
      return;
    }
    const [name, component, ...rest] = arg.value.split(":");
    const member = name ? API.member(ty.name, name) : undefined;
    if (member?.kind !== "property" || !member.spec.tweenable || rest.length > 0) {
      this.report(arg, `${where}: "${arg.value}" is not an animatable property of ${ty.name}`);
      return;
    }
    if (component === undefined) return;
    const inner = apiType(member.spec.type);
    const sub = inner.t === "class" ? API.member(inner.name, component) : undefined;
    if (sub?.kind !== "property" || !sub.spec.tweenable) {
      this.report(arg, `${where}: "${arg.value}" is not an animatable property of ${ty.name}`);
    }
  }

  #options(
    where: string,
    arg: Expression,
    keys: Readonly<Record<string, { max?: number }>>,
  ): void {
    if (arg.kind !== "dictionary") {
      this.report(
        arg,
        `${where} must be a dictionary literal with keys among ${Object.keys(keys).join(", ")}`,
      );
      return;
    }
    for (const entry of arg.entries) {
      const key = entry.key.kind === "string" ? entry.key.value : undefined;
      const spec = key !== undefined && Object.hasOwn(keys, key) ? keys[key] : undefined;
      if (!spec) {
        this.report(
          entry.key,
          `${where} may only have the keys ${Object.keys(keys).join(", ")} (as string literals)`,
        );
        continue;
      }
      if (spec.max !== undefined && !(this.#interval(entry.value).hi <= spec.max)) {
        this.report(
          entry.value,
          `${where}'s ${key} must be at most ${spec.max}: write a constant, or cap it with ` +
            `mini()/minf() or clampi()/clampf()`,
        );
      }
    }
  }

  #capability(capability: Capability, at: Span): void {
    if (!this.capabilities.has(capability)) this.capabilities.set(capability, at);
  }

  // -------------------------------------------------------------------------------------------
  // Callables

  /** Records that the current function may run whatever `e` may hold. */
  #use(e: Expression, strict: boolean): void {
    this.#uses.push({ fn: this.#fn.id, sources: this.#sources(e), at: e, strict });
  }

  /** Where the callable `e` may come from. */
  #sources(e: Expression): CallableSources {
    switch (e.kind) {
      case "lambda":
        return { fns: [this.#p.lambdas.get(e)!.id], nodes: [], unknown: false };
      case "identifier": {
        const resolved = this.#p.resolved.get(e);
        if (resolved?.k === "binding") {
          return { fns: [], nodes: [resolved.b.flowNode], unknown: false };
        }
        if (resolved?.k === "func") return { fns: [resolved.fn.id], nodes: [], unknown: false };
        return resolved?.k === "base_method" ? NO_CALLABLES : { ...NO_CALLABLES, unknown: true };
      }
      case "attribute": {
        if (e.base.kind === "self") {
          const member = this.#p.members.get(e.member.name);
          if (member?.k === "binding") {
            return { fns: [], nodes: [member.b.flowNode], unknown: false };
          }
          if (member?.k === "func") return { fns: [member.fn.id], nodes: [], unknown: false };
          return NO_CALLABLES;
        }
        const ty = this.#ty(e.base);
        const member = ty.t === "class" ? API.member(ty.name, e.member.name) : undefined;
        return member?.kind === "method" ? NO_CALLABLES : { ...NO_CALLABLES, unknown: true };
      }
      case "call": {
        const own = this.#ownFunction(e.callee);
        if (own) return { fns: [], nodes: [own.retNode], unknown: false };
        if (e.callee.kind === "attribute" && e.callee.member.name === "bind") {
          return this.#sources(e.callee.base);
        }
        return { ...NO_CALLABLES, unknown: true };
      }
      case "ternary": {
        const a = this.#sources(e.whenTrue);
        const b = this.#sources(e.whenFalse);
        return {
          fns: [...a.fns, ...b.fns],
          nodes: [...a.nodes, ...b.nodes],
          unknown: a.unknown || b.unknown,
        };
      }
      case "cast":
        return this.#sources(e.operand);
      case "null":
        return NO_CALLABLES;
      default:
        return { ...NO_CALLABLES, unknown: true };
    }
  }
}

/**
 * A function the spell may define although its base class has it: the engine callbacks (their
 * signatures are checked by structure.ts) and `get_manifest() -> Dictionary`.
 */
function overridable(decl: FuncDecl): boolean {
  const name = decl.name.name;
  if (API.api.callbacks.some((callback) => callback.name === name)) return true;
  const ret = decl.returnType;
  return name === "get_manifest" && decl.params.length === 0 && !decl.isStatic && ret !== null &&
    ret.chain.length === 1 && ret.chain[0]!.name === "Dictionary" && ret.elementTypes.length === 0;
}

/**
 * Why an API method may not be handed to the engine as a callable (`arr.map(obj.method)`): the
 * engine would call it with arguments the verifier never sees, so a method whose arguments are
 * checked (literals, bounds, callables), that changes its receiver, or whose result can be many
 * times its inputs, is only ever called directly.
 */
/**
 * Why a method may not be a function value (the engine could call it any number of times, where
 * the verifier counts nothing), or null for the few the API lists as values.
 */
function notAFunctionValue(spec: MethodSpec): string | null {
  if (spec.params.some((p) => p.literal || p.max !== undefined || p.type === "Callable")) {
    return "its arguments must be checked where it is called";
  }
  if (spec.mutates || spec.sizes?.grows) return "it changes the value it belongs to";
  if (spec.sizes?.result?.some((term) => term.times !== undefined && term.times !== 1)) {
    return "its result can be many times the size of its inputs";
  }
  if (spec.value) return null;
  if (spec.creates || spec.capability || spec.prints) {
    return "each call makes objects or acts on the world, and the engine could call it any " +
      "number of times: call it in a lambda, where it is counted";
  }
  if (spec.name === "start") {
    return "a timer's callbacks could start it again and again: call start() where the timer is made";
  }
  return "only methods listed as function values (like `node.queue_free`) can be: call it in a " +
    "lambda";
}

/** Tween methods that change how it plays and return the tween itself. */
const TWEEN_SETTINGS = new Set([
  "set_loops",
  "set_trans",
  "set_ease",
  "set_parallel",
  "parallel",
  "chain",
]);

/** `Timer.new()`. */
function isTimerNew(e: Expression): boolean {
  return e.kind === "call" && e.callee.kind === "attribute" && e.callee.member.name === "new" &&
    e.callee.base.kind === "identifier" && e.callee.base.name === "Timer";
}

/** "a Vector3", "an Array". */
function article(noun: string): string {
  return (/^[AEIOU]/i.test(noun) ? "an " : "a ") + noun;
}

/** Arrays, dictionaries and string lists: values with elements. */
function isCollection(ty: Ty): boolean {
  return ty.t === "class" && API.classes.get(ty.name)?.index !== undefined &&
    ty.name !== "String";
}

function isAssetPath(arg: Expression): boolean {
  if (arg.kind !== "string" || arg.stringKind !== "string") return false;
  const path = arg.value;
  return /^assets\/[A-Za-z0-9_./-]+$/.test(path) &&
    !path.split("/").some((part) => part === ".." || part === ".");
}

/** The source text of a node, shortened for messages. */
export function sourceOf(program: Program, node: Span): string {
  const text = programSource.get(program)?.slice(node.start, node.end) ?? "this value";
  const oneLine = text.replace(/\s+/g, " ");
  return oneLine.length > 40 ? oneLine.slice(0, 37) + "..." : oneLine;
}

/** The source each program was parsed from (for messages). */
export const programSource = new WeakMap<Program, string>();
