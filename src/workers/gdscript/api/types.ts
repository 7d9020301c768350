/**
 * The shape of the SpellScript API data (`spellscript_api.ts`): what a spell may name, call, read
 * and write, with the types the verifier infers from and the bounds it enforces. Pure data types.
 *
 * @module
 */

/** A world capability: a kind of effect a spell has on every client (see `CAPABILITIES`). */
export type Capability = "damage" | "events" | "query" | "sound" | "spawn" | "vfx" | "voxel";

/**
 * A type as a spell writes it: `int`, `Vector3`, `Array[Dictionary]`, `MeshInstance3D`, `Variant`.
 * Three placeholders only occur in return types: `Self` (the receiver's own type), `Element` (the
 * receiver's element type, e.g. `Array[Color]` → `Color`) and `Arg0` (the first argument's type, for
 * generic math such as `lerp` and `clamp`).
 */
export type TypeName = string;

/** What an argument written as a literal must look like. */
export type LiteralRule =
  /** A string literal `"assets/…"`: a file of the spell's own package, never an engine path. */
  | { readonly kind: "asset_path" }
  /**
   * A string literal naming a tweenable property of the static type of argument `of`, with an
   * optional component (`"position"`, `"rotation:y"`, `"albedo_color:a"`).
   */
  | { readonly kind: "property_path"; readonly of: number }
  /** Omitted, or a dictionary literal whose keys are string literals from `keys`. */
  | { readonly kind: "options"; readonly keys: Readonly<Record<string, OptionKeySpec>> }
  /** A constant combining the named flags with `|` (its value within `mask`). */
  | { readonly kind: "flags"; readonly names: readonly string[]; readonly mask: number };

/** One key a dictionary-literal argument may have. */
export interface OptionKeySpec {
  readonly type: TypeName;
  readonly doc: string;
  /** Upper bound of the value: it must fold (or be clamped) to at most this. */
  readonly max?: number;
}

/**
 * Where a callable argument's parameters get their values from, when the engine calls it: the
 * receiver's elements, the callable's own previous result (`reduce`), or another argument.
 */
export type CallbackSource = "element" | "callback" | number;

/** Where a value's size comes from, for the exponential-growth check. */
export type SizeSource = "receiver" | "callback" | "args" | number;

/** One contribution to a value's size: `times` copies of a source (`many`: unbounded). */
export interface SizeTerm {
  readonly from: SizeSource;
  /** Default 1. `{ arg }`: as many as argument `arg`'s upper bound. */
  readonly times?: number | "many" | { readonly arg: number };
}

/** How a call's result (and, for mutators, its receiver) is sized by its inputs. */
export interface SizeEffect {
  /** The result holds these (default: the receiver and every argument, once). */
  readonly result?: readonly SizeTerm[];
  /** The receiver is changed in place and grows by these. */
  readonly grows?: readonly SizeTerm[];
}

/**
 * How large a value from outside the spell can be (the cast's parameters, an event, the entities
 * near a point): its count (characters, elements) and weight (see the verifier's sizes.ts), and
 * the same for each of its elements.
 */
export interface ExternalBound {
  readonly count: number;
  readonly weight: number;
  readonly element?: { readonly count: number; readonly weight: number };
}

export interface ParamSpec {
  readonly name: string;
  readonly type: TypeName;
  /** The engine gives it a default, so it may be left out. */
  readonly optional?: boolean;
  /** The value sizes an allocation or a repetition: its upper bound must fold to at most this. */
  readonly max?: number;
  /** Its lower bound must fold to at least this. */
  readonly min?: number;
  /** The argument must be a literal of this form. */
  readonly literal?: LiteralRule;
  /** For callable parameters: where each of the callable's parameters gets its value from. */
  readonly callback?: readonly (readonly CallbackSource[])[];
}

export interface MethodSpec {
  readonly name: string;
  readonly params: readonly ParamSpec[];
  /** Any number of further arguments of this type (`print`, `str`, `bind`). */
  readonly varargs?: TypeName;
  readonly returns: TypeName;
  readonly doc: string;
  readonly capability?: Capability;
  readonly sizes?: SizeEffect;
  /** The client prints its arguments (world calls): they count as prints. */
  readonly prints?: boolean;
  /** It creates an engine object that lives on (a node, a timer, a tween, an effect, a sound). */
  readonly creates?: boolean;
  /** The result comes from outside the spell, with this bound. */
  readonly bound?: ExternalBound;
  /** Changes the receiver in place without growing it (`erase`, `sort`, `clear`). */
  readonly mutates?: boolean;
  /**
   * May be a function value (`node.queue_free` handed to a signal or a tween). Only methods the
   * engine may call any number of times, at any time, at no cost the budget must count: no
   * objects made, no world calls, nothing started (a timer's `start` as its own callback would
   * restart it for ever). Others may only be called where the verifier counts them.
   */
  readonly value?: boolean;
}

export interface PropertySpec {
  readonly name: string;
  readonly type: TypeName;
  readonly doc: string;
  /** Spells may read it but never assign it. */
  readonly readonly?: boolean;
  /** Writable and animatable: may be named by `Tween.tween_property`. */
  readonly tweenable?: boolean;
  /** The value comes from outside the spell, with this bound. */
  readonly bound?: ExternalBound;
}

export interface SignalSpec {
  readonly name: string;
  readonly params: readonly TypeName[];
  readonly doc: string;
}

export interface ConstantSpec {
  readonly name: string;
  readonly type: TypeName;
  readonly doc: string;
  /** Integer value, for folding loop bounds and allocation sizes. */
  readonly value?: number;
}

export interface ClassSpec {
  readonly name: string;
  readonly doc: string;
  /** `value`: a built-in Variant type (copied or shared as Godot does); `object`: an engine Object. */
  readonly kind: "value" | "object";
  /** The API parent: members are inherited from it (and only from it). */
  readonly extends?: string;
  /** `Name.new()` may be called. */
  readonly instantiable?: boolean;
  /** `Name(…)` overloads for value types; an empty list means `Name()` only. */
  readonly constructors?: readonly (readonly ParamSpec[])[];
  readonly constants?: readonly ConstantSpec[];
  readonly properties?: readonly PropertySpec[];
  readonly methods?: readonly MethodSpec[];
  /** Called on the class name: `Color.from_hsv(…)`. */
  readonly staticMethods?: readonly MethodSpec[];
  readonly signals?: readonly SignalSpec[];
  /** `for x in value` is allowed; `x` has this type. */
  readonly iterates?: TypeName;
  /** `value[i]` is allowed with this key and result type; `writes` if `value[i] = …` is too. */
  readonly index?: {
    readonly key: TypeName;
    readonly value: TypeName;
    readonly writes: boolean;
    /** Writing may add an entry (dictionaries), which grows the value. */
    readonly grows?: boolean;
  };
  /** Has a size that can grow (strings, arrays, dictionaries): followed by the growth check. */
  readonly sized?: boolean;
}

/** A name a spell may never use, with why (shown in the build error). */
export interface ForbiddenName {
  readonly name: string;
  readonly why: string;
}

/** An engine callback a spell may define, with its exact signature. */
export interface CallbackSpec {
  readonly name: string;
  readonly params: readonly (readonly [string, TypeName])[];
  readonly doc: string;
  readonly required?: boolean;
  /** Bounds of the parameters the client fills from outside (by parameter name). */
  readonly bounds?: Readonly<Record<string, ExternalBound>>;
}

/** The whole API: the manifest's `interface_version` names this exact content. */
export interface SpellScriptApi {
  readonly version: string;
  readonly capabilities: readonly { readonly name: Capability; readonly doc: string }[];
  readonly functions: readonly MethodSpec[];
  readonly constants: readonly ConstantSpec[];
  readonly classes: readonly ClassSpec[];
  /** The class whose members a spell inherits (`self`): SpellModule. */
  readonly base: string;
  readonly callbacks: readonly CallbackSpec[];
  /** Annotations a spell may write, with why each is harmless. */
  readonly annotations: readonly { readonly name: string; readonly why: string }[];
  /** Engine virtual methods a spell may not define (the engine would call them implicitly). */
  readonly reservedFunctions: readonly ForbiddenName[];
  readonly forbidden: readonly ForbiddenName[];
  /** Members of the client's SpellContext, WorldAPIAdapter and SpellModule left out, and why. */
  readonly excluded: readonly {
    readonly owner: string;
    readonly name: string;
    readonly why: string;
  }[];
  /** Upper bounds the verifier enforces; `maxIterations` is the server's default. */
  readonly limits: {
    /** Loop iterations and calls one run of an entry point may cause (the server's default). */
    readonly maxIterations: number;
    readonly maxFormatWidth: number;
    /** Largest count (characters, elements) or weight of any value. */
    readonly maxValueSize: number;
    /** How much a value kept in a member may grow each run of an entry point. */
    readonly maxGrowthPerRun: number;
    /** Nodes, timers, tweens, effects and sounds one run may create (counting its callbacks). */
    readonly maxObjectsPerRun: number;
    /** Lines one run may print (world calls print too). */
    readonly maxPrintsPerRun: number;
    /** Characters one print may have. */
    readonly maxPrintChars: number;
    /** Characters one run may print, all its prints together. */
    readonly maxPrintedPerRun: number;
    /** Objects, prints and printed characters of one run of on_tick (every frame, every cast). */
    readonly maxObjectsPerFrame: number;
    readonly maxPrintsPerFrame: number;
    readonly maxPrintedPerFrame: number;
    /** Most loops of a tween (`set_loops`). */
    readonly maxTweenLoops: number;
    /**
     * Characters or elements an operation may read or copy for one unit of work: comparing,
     * searching, concatenating or printing a value costs its weight divided by this.
     */
    readonly charsPerWork: number;
  };
}
