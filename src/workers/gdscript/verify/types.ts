/**
 * Static types for the verifier and the index of the SpellScript API it looks members up in.
 *
 * A type is what the verifier knows about a value at every point of the program, flow-insensitively.
 * `variant` means "could be anything": no member, index or iteration is allowed on it, because the
 * same name is harmless on one type and dangerous on another (`get` on a Dictionary, on an Object).
 *
 * @module
 */

import {
  BUILTIN_TYPES,
  CLASSES,
  CONSTANTS,
  GDSCRIPT_FUNCTIONS,
  GLOBAL_ENUMS,
  INHERITED_MEMBERS,
  SINGLETONS,
  UTILITY_FUNCTIONS,
} from "../api/godot_names.ts";
import { SPELLSCRIPT_API } from "../api/spellscript_api.ts";
import type {
  ClassSpec,
  ConstantSpec,
  MethodSpec,
  PropertySpec,
  SignalSpec,
  SpellScriptApi,
} from "../api/types.ts";

/** What the verifier knows about a value. */
export type Ty =
  /** Nothing assigned yet (or only `null`): joins to whatever else is assigned. */
  | { readonly t: "none" }
  /** Could be anything. */
  | { readonly t: "variant" }
  /** An instance of an API class; `elem` for typed arrays and dictionaries. */
  | { readonly t: "class"; readonly name: string; readonly elem?: Ty }
  /** The spell itself (`self`). */
  | { readonly t: "self" }
  /** A class name used as a value: only `X.new()`, `X.CONST`, `X.static_func()`. */
  | { readonly t: "classref"; readonly name: string }
  /** One of the spell's named enums: only `Enum.VALUE`. */
  | { readonly t: "enum"; readonly name: string }
  | { readonly t: "void" };

export const NONE: Ty = { t: "none" };
export const VARIANT: Ty = { t: "variant" };
export const VOID: Ty = { t: "void" };
export const SELF: Ty = { t: "self" };

const classTys = new Map<string, Ty>();

/** The type of an instance of API class `name` (shared objects for the common case). */
export function cls(name: string, elem?: Ty): Ty {
  if (elem) return { t: "class", name, elem };
  let ty = classTys.get(name);
  if (!ty) classTys.set(name, ty = { t: "class", name });
  return ty;
}

export const INT = cls("int");
export const FLOAT = cls("float");
export const BOOL = cls("bool");
export const STRING = cls("String");
export const CALLABLE = cls("Callable");
export const SIGNAL = cls("Signal");
export const ARRAY = cls("Array");
export const DICTIONARY = cls("Dictionary");

export function isClass(ty: Ty, name: string): boolean {
  return ty.t === "class" && ty.name === name;
}

export function sameTy(a: Ty, b: Ty): boolean {
  if (a === b) return true;
  if (a.t !== b.t) return false;
  switch (a.t) {
    case "class": {
      const other = b as typeof a;
      if (a.name !== other.name) return false;
      if (!a.elem || !other.elem) return a.elem === other.elem;
      return sameTy(a.elem, other.elem);
    }
    case "classref":
    case "enum":
      return a.name === (b as typeof a).name;
    default:
      return true;
  }
}

/** The least type that holds both (flow-insensitive merge of two assignments). */
export function join(a: Ty, b: Ty): Ty {
  if (a.t === "none") return b;
  if (b.t === "none") return a;
  if (sameTy(a, b)) return a;
  if (a.t === "class" && b.t === "class" && a.name === b.name) return cls(a.name);
  return VARIANT;
}

/** Shows a type in a message the way a spell writes it. */
export function showTy(ty: Ty): string {
  switch (ty.t) {
    case "class":
      return ty.elem ? `${ty.name}[${showTy(ty.elem)}]` : ty.name;
    case "classref":
      return ty.name;
    case "enum":
      return ty.name;
    case "self":
      return "the spell";
    case "none":
      return "null";
    default:
      return ty.t === "void" ? "void" : "a value of unknown type";
  }
}

/** A member found on a class, with the class that declares it. */
export type Member =
  | { readonly kind: "property"; readonly spec: PropertySpec; readonly owner: ClassSpec }
  | { readonly kind: "method"; readonly spec: MethodSpec; readonly owner: ClassSpec }
  | { readonly kind: "signal"; readonly spec: SignalSpec; readonly owner: ClassSpec };

/** Fast lookups over the API data. */
export class ApiIndex {
  readonly api: SpellScriptApi;
  readonly classes = new Map<string, ClassSpec>();
  readonly functions = new Map<string, MethodSpec>();
  readonly constants = new Map<string, ConstantSpec>();
  readonly forbidden = new Map<string, string>();
  readonly reservedFunctions = new Map<string, string>();
  readonly annotations = new Set<string>();
  /** Every name the API defines anywhere: declarations may not reuse them. */
  readonly globalNames = new Set<string>();
  /**
   * Names Godot resolves ahead of the spell's own, or refuses it to declare, with what each is
   * (godot_names.ts): declarations may not use them either.
   */
  readonly godotNames = new Map<string, string>();
  #members = new Map<string, Map<string, Member>>();

  constructor(api: SpellScriptApi) {
    this.api = api;
    for (const spec of api.classes) this.classes.set(spec.name, spec);
    for (const spec of api.functions) this.functions.set(spec.name, spec);
    for (const spec of api.constants) this.constants.set(spec.name, spec);
    for (const { name, why } of api.forbidden) this.forbidden.set(name, why);
    for (const { name, why } of api.reservedFunctions) this.reservedFunctions.set(name, why);
    for (const { name } of api.annotations) this.annotations.add(name);
    for (
      const name of [...this.classes.keys(), ...this.functions.keys(), ...this.constants.keys()]
    ) {
      this.globalNames.add(name);
    }
    const kinds: [readonly string[], string][] = [
      [INHERITED_MEMBERS, "a member every spell inherits from Object"],
      [CONSTANTS, "a global constant of Godot"],
      [GLOBAL_ENUMS, "a global enum of Godot"],
      [CLASSES, "a class of Godot"],
      [SINGLETONS, "a singleton of Godot"],
      [BUILTIN_TYPES, "a built-in type of Godot"],
      [GDSCRIPT_FUNCTIONS, "a GDScript function"],
      [UTILITY_FUNCTIONS, "a global function of Godot"],
    ];
    for (const [names, kind] of kinds) for (const name of names) this.godotNames.set(name, kind);
    for (const [name, member] of this.membersOf(api.base)) {
      if (member.kind === "method") this.godotNames.set(name, `a method of ${api.base}`);
    }
    for (const { name } of api.callbacks) this.godotNames.set(name, `a method of ${api.base}`);
  }

  /** A member of a class or of one of its API ancestors. */
  member(className: string, name: string): Member | undefined {
    return this.#membersOf(className).get(name);
  }

  /** Every member of a class and its API ancestors (for docs and tests). */
  membersOf(className: string): ReadonlyMap<string, Member> {
    return this.#membersOf(className);
  }

  /** Whether `name` is `ancestor` or inherits from it in the API. */
  inherits(name: string, ancestor: string): boolean {
    for (let spec = this.classes.get(name); spec; spec = this.#parent(spec)) {
      if (spec.name === ancestor) return true;
    }
    return false;
  }

  /** A class constant (`Vector3.UP`, `Tween.TRANS_SINE`), inherited ones included. */
  classConstant(className: string, name: string): ConstantSpec | undefined {
    for (let spec = this.classes.get(className); spec; spec = this.#parent(spec)) {
      const found = spec.constants?.find((c) => c.name === name);
      if (found) return found;
    }
    return undefined;
  }

  staticMethod(className: string, name: string): MethodSpec | undefined {
    return this.classes.get(className)?.staticMethods?.find((m) => m.name === name);
  }

  #parent(spec: ClassSpec): ClassSpec | undefined {
    return spec.extends ? this.classes.get(spec.extends) : undefined;
  }

  #membersOf(className: string): Map<string, Member> {
    let members = this.#members.get(className);
    if (members) return members;
    members = new Map();
    const chain: ClassSpec[] = [];
    for (let spec = this.classes.get(className); spec; spec = this.#parent(spec)) {
      chain.unshift(spec);
    }
    for (const owner of chain) {
      for (const spec of owner.properties ?? []) {
        members.set(spec.name, { kind: "property", spec, owner });
      }
      for (const spec of owner.methods ?? []) {
        members.set(spec.name, { kind: "method", spec, owner });
      }
      for (const spec of owner.signals ?? []) {
        members.set(spec.name, { kind: "signal", spec, owner });
      }
    }
    this.#members.set(className, members);
    return members;
  }
}

export const API = new ApiIndex(SPELLSCRIPT_API);

/**
 * A type written in the API data (`int`, `Array[Vector3]`, `Variant`). `Self`, `Element` and
 * `Arg0` are resolved against the receiver and arguments.
 */
export function apiType(name: string, receiver?: Ty, args?: readonly Ty[]): Ty {
  const plain = plainTypes.get(name);
  if (plain) return plain;
  switch (name) {
    case "Variant":
      return VARIANT;
    case "void":
      return VOID;
    case "Self":
      return receiver ?? VARIANT;
    case "Element":
      return receiver ? elementOf(receiver) : VARIANT;
    case "Arg0":
      return args?.[0] ?? VARIANT;
    case "StringName":
      return STRING;
  }
  const typed = /^(\w+)\[(\w+)\]$/.exec(name);
  const ty = typed ? cls(typed[1]!, apiType(typed[2]!)) : cls(name);
  plainTypes.set(name, ty);
  return ty;
}

/** API type names that need no receiver or arguments, parsed once. */
const plainTypes = new Map<string, Ty>();

/** What iterating or indexing a value yields. */
export function elementOf(ty: Ty): Ty {
  if (ty.t !== "class") return VARIANT;
  if (ty.elem) return ty.elem;
  const spec = API.classes.get(ty.name);
  if (ty.name === "Array" || ty.name === "Dictionary") return VARIANT;
  if (spec?.index) return apiType(spec.index.value, ty);
  return VARIANT;
}

/** Whether values of this type have a size that can grow (text, lists, dictionaries). */
export function isSized(ty: Ty): boolean {
  if (ty.t === "variant" || ty.t === "none") return true;
  return ty.t === "class" && API.classes.get(ty.name)?.sized === true;
}

const NUMERIC = new Set(["int", "float"]);
const VECTORS = new Set(["Vector2", "Vector3", "Vector3i", "Color"]);

/** The type of `left op right`, or VARIANT where the verifier does not know it. */
export function binaryType(op: string, left: Ty, right: Ty): Ty {
  switch (op) {
    case "==":
    case "!=":
    case "<":
    case "<=":
    case ">":
    case ">=":
    case "and":
    case "or":
    case "in":
    case "not in":
      return BOOL;
  }
  if (left.t !== "class" || right.t !== "class") return VARIANT;
  const l = left.name;
  const r = right.name;
  if (NUMERIC.has(l) && NUMERIC.has(r)) {
    if (["<<", ">>", "&", "|", "^", "%"].includes(op)) {
      return l === "int" && r === "int" ? INT : VARIANT;
    }
    return l === "int" && r === "int" ? INT : FLOAT;
  }
  if (l === "String" && (op === "%" || (op === "+" && r === "String"))) return STRING;
  if (op === "+" && l === "Array" && r === "Array") return ARRAY;
  if (VECTORS.has(l) && (l === r || NUMERIC.has(r)) && ["+", "-", "*", "/"].includes(op)) {
    if (op === "+" || op === "-") return l === r ? left : VARIANT;
    // An int vector scaled by a float is a float vector.
    return l === "Vector3i" && r === "float" ? cls("Vector3") : cls(l);
  }
  if (NUMERIC.has(l) && VECTORS.has(r) && op === "*") {
    return r === "Vector3i" && l === "float" ? cls("Vector3") : cls(r);
  }
  if (op === "*" && l === "Vector3" && (r === "Basis" || r === "Transform3D")) {
    return cls("Vector3");
  }
  if (op === "*" && (l === "Transform3D" || l === "Basis")) {
    if (r === "Vector3") return cls("Vector3");
    if (r === l) return cls(l);
  }
  return VARIANT;
}
