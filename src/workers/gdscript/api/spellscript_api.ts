/**
 * The SpellScript API, version 2.1: everything a spell may name that it did not declare itself.
 * The build verifier allows exactly this; `docs/SPELLSCRIPT.md` is generated from it
 * (`deno task docs`); the manifest's `interface_version` is `SPELLSCRIPT_API.version`. Change the
 * version whenever what a spell may use changes.
 *
 * The SpellContext, SpellModule and WorldAPIAdapter members are those of the Godot client
 * (`godot-client/*.gd`), minus the ones that are client plumbing or unsafe with arbitrary input
 * (`init_from_cast_event`, `register_asset`, `set_spell_cache_path`, `get_asset`, the `_` fields).
 * Engine classes are the few that visual spells need, each with only members that act on the
 * object itself: no member reaches the scene tree, another node, a script, a file or a name
 * given as a string.
 *
 * @module
 */

import type {
  Capability,
  ClassSpec,
  ConstantSpec,
  MethodSpec,
  ParamSpec,
  PropertySpec,
  SpellScriptApi,
} from "./types.ts";

// ---------------------------------------------------------------------------------------------
// Small constructors that keep the tables below readable.

function p(name: string, type: string, extra: Partial<ParamSpec> = {}): ParamSpec {
  return { name, type, ...extra };
}

/** An optional parameter (the engine has a default). */
function o(name: string, type: string, extra: Partial<ParamSpec> = {}): ParamSpec {
  return { name, type, optional: true, ...extra };
}

function fn(
  name: string,
  params: ParamSpec[],
  returns: string,
  doc: string,
  extra: Partial<MethodSpec> = {},
): MethodSpec {
  return { name, params, returns, doc, ...extra };
}

function prop(
  name: string,
  type: string,
  doc: string,
  extra: Partial<PropertySpec> = {},
): PropertySpec {
  return { name, type, doc, ...extra };
}

/** A writable property that `Tween.tween_property` may animate. */
function tprop(name: string, type: string, doc: string): PropertySpec {
  return { name, type, doc, tweenable: true };
}

/** An instantiable primitive mesh with its own animatable properties. */
function mesh(
  name: string,
  doc: string,
  properties: PropertySpec[],
  parent = "PrimitiveMesh",
): ClassSpec {
  return { name, kind: "object", extends: parent, instantiable: true, doc, properties };
}

/** A read-only property. */
function rprop(name: string, type: string, doc: string): PropertySpec {
  return { name, type, doc, readonly: true };
}

function k(name: string, type: string, doc: string, value?: number): ConstantSpec {
  return value === undefined ? { name, type, doc } : { name, type, doc, value };
}

/** A math function of one float. */
function math1(name: string, doc: string): MethodSpec {
  return fn(name, [p("x", "float")], "float", doc);
}

/** A function whose result has the type of its first argument (`lerp(Vector3, Vector3, t)`). */
function generic(name: string, params: ParamSpec[], doc: string): MethodSpec {
  return fn(name, params, "Arg0", doc);
}

const CAPABILITY_DOCS: Record<Capability, string> = {
  damage: "deal damage to entities (`deal_damage`)",
  events: "send custom events to other spells and systems (`emit_event`)",
  query: "look up entities near a point (`query_radius`)",
  sound: "play sounds (`play_sound`)",
  spawn: "add meshes and scenes from the spell's own package to the world (`spawn_*`)",
  vfx: "play visual effects (`play_vfx`)",
  voxel: "change the voxel terrain (`set_voxel`, `set_voxel_region`)",
};

// ---------------------------------------------------------------------------------------------
// Bounds. A parameter with `max` sizes an allocation: its value must fold, or be clamped with
// `mini`/`clampi`/`min`/`clamp`, to a constant no larger.

const MAX_ARRAY_RESIZE = 4096;
const MAX_STRING_REPEAT = 256;
const MAX_PAD = 64;
const MAX_VFX_AMOUNT = 256;
const MAX_VFX_LIFETIME = 30;
const MAX_SOUND_VOLUME_DB = 12;
const MAX_TWEEN_LOOPS = 64;
/** Shortest step of a tween that loops forever. */
export const MIN_FOREVER_STEP = 0.05;
/** Longest step of `tween_method`, whose method the engine calls every frame of the step. */
export const MAX_TWEEN_METHOD_SECONDS = 10;
/**
 * Frames a second the budget assumes for `tween_method`: its method is charged this many calls
 * for each second of the step (a display of up to 240 Hz draws that often).
 */
export const TWEEN_METHOD_CALLS_PER_SECOND = 240;

/**
 * Bounds of what reaches a spell from outside, in elements and printed characters. The cast's
 * parameters are JSON of at most MAX_CAST_PARAMS_BYTES (32768 at most; a number can print longer
 * than its JSON, so three times that); events and the manifest are built by the client and the
 * server; query results are capped by the client's world.
 */
const PARAMS_BOUND = { count: 16384, weight: 98304, element: { count: 32768, weight: 98304 } };
const MANIFEST_BOUND = { count: 4096, weight: 65536, element: { count: 4096, weight: 65536 } };
const EVENT_BOUND = { count: 16384, weight: 98304, element: { count: 32768, weight: 98304 } };
const QUERY_BOUND = { count: 64, weight: 65536, element: { count: 16, weight: 1024 } };

/**
 * The flags `Signal.connect` may take (Object's `CONNECT_*`). `CONNECT_PERSIST` only matters to
 * the editor and `CONNECT_APPEND_SOURCE_OBJECT` hands the callable the emitting object, so they
 * are left out.
 */
const CONNECT_FLAGS: [string, number, string][] = [
  ["CONNECT_DEFERRED", 1, "`Signal.connect` flag: call at the end of the frame."],
  ["CONNECT_ONE_SHOT", 4, "`Signal.connect` flag: disconnect after the first call."],
  ["CONNECT_REFERENCE_COUNTED", 8, "`Signal.connect` flag: connect once per call of connect."],
];

// ---------------------------------------------------------------------------------------------
// Global functions.

const FUNCTIONS: MethodSpec[] = [
  fn("print", [], "void", "Prints its arguments, concatenated, to the client's output.", {
    varargs: "Variant",
  }),
  fn("push_warning", [], "void", "Prints a warning to the client's output.", {
    varargs: "Variant",
  }),
  fn("push_error", [], "void", "Prints an error to the client's output.", { varargs: "Variant" }),
  fn("str", [], "String", "Converts its arguments to text and concatenates them.", {
    varargs: "Variant",
    sizes: { result: [{ from: "args" }] },
  }),
  fn("len", [p("value", "Variant")], "int", "Length of a string, array or dictionary."),
  fn(
    "range",
    [p("a", "int"), o("b", "int"), o("step", "int")],
    "Array[int]",
    "Only as the iterable of a `for` loop, with bounds that fold to at most the server's " +
      "iteration limit: `for i in range(8)`, `for i in range(-r, r + 1)` with `const r := 4`.",
  ),
  fn(
    "is_instance_valid",
    [p("instance", "Variant")],
    "bool",
    "Whether an object still exists (was not freed).",
  ),
  generic("abs", [p("x", "Variant")], "Absolute value (int, float or vector)."),
  fn("absf", [p("x", "float")], "float", "Absolute value of a float."),
  fn("absi", [p("x", "int")], "int", "Absolute value of an int."),
  generic("sign", [p("x", "Variant")], "-1, 0 or 1 (int, float or vector)."),
  fn("signf", [p("x", "float")], "float", "-1.0, 0.0 or 1.0."),
  fn("signi", [p("x", "int")], "int", "-1, 0 or 1."),
  generic("floor", [p("x", "Variant")], "Rounds down (float or vector)."),
  fn("floorf", [p("x", "float")], "float", "Rounds down."),
  fn("floori", [p("x", "float")], "int", "Rounds down to an int."),
  generic("ceil", [p("x", "Variant")], "Rounds up (float or vector)."),
  fn("ceilf", [p("x", "float")], "float", "Rounds up."),
  fn("ceili", [p("x", "float")], "int", "Rounds up to an int."),
  generic("round", [p("x", "Variant")], "Rounds to the nearest (float or vector)."),
  fn("roundf", [p("x", "float")], "float", "Rounds to the nearest."),
  fn("roundi", [p("x", "float")], "int", "Rounds to the nearest int."),
  generic(
    "clamp",
    [p("value", "Variant"), p("min", "Variant"), p("max", "Variant")],
    "Limits a value to [min, max]; a loop bound or size written `clamp(x, a, 8)` is at most 8.",
  ),
  fn(
    "clampf",
    [p("value", "float"), p("min", "float"), p("max", "float")],
    "float",
    "Limits a float to [min, max].",
  ),
  fn(
    "clampi",
    [p("value", "int"), p("min", "int"), p("max", "int")],
    "int",
    "Limits an int to [min, max]; `clampi(n, 1, 8)` is a bounded loop count.",
  ),
  generic("min", [p("a", "Variant"), p("b", "Variant")], "The smaller of two values."),
  fn("minf", [p("a", "float"), p("b", "float")], "float", "The smaller of two floats."),
  fn(
    "mini",
    [p("a", "int"), p("b", "int")],
    "int",
    "The smaller of two ints; `mini(n, 8)` is a bounded loop count.",
  ),
  generic("max", [p("a", "Variant"), p("b", "Variant")], "The larger of two values."),
  fn("maxf", [p("a", "float"), p("b", "float")], "float", "The larger of two floats."),
  fn("maxi", [p("a", "int"), p("b", "int")], "int", "The larger of two ints."),
  generic(
    "lerp",
    [p("from", "Variant"), p("to", "Variant"), p("weight", "float")],
    "Linear interpolation (float, vector or colour).",
  ),
  fn(
    "lerpf",
    [p("from", "float"), p("to", "float"), p("weight", "float")],
    "float",
    "Linear interpolation of floats.",
  ),
  fn(
    "lerp_angle",
    [p("from", "float"), p("to", "float"), p("weight", "float")],
    "float",
    "Interpolates angles (radians) the short way round.",
  ),
  fn(
    "inverse_lerp",
    [p("from", "float"), p("to", "float"), p("weight", "float")],
    "float",
    "Where `weight` lies between `from` and `to` (0 to 1).",
  ),
  fn(
    "remap",
    [
      p("value", "float"),
      p("istart", "float"),
      p("istop", "float"),
      p("ostart", "float"),
      p("ostop", "float"),
    ],
    "float",
    "Maps a value from one range to another.",
  ),
  fn(
    "move_toward",
    [p("from", "float"), p("to", "float"), p("delta", "float")],
    "float",
    "Moves `from` toward `to` by at most `delta`.",
  ),
  fn(
    "smoothstep",
    [p("from", "float"), p("to", "float"), p("x", "float")],
    "float",
    "Smooth Hermite step between 0 and 1.",
  ),
  fn("ease", [p("x", "float"), p("curve", "float")], "float", "Easing curve of x in [0, 1]."),
  generic("snapped", [p("x", "Variant"), p("step", "Variant")], "Rounds to a multiple of step."),
  generic(
    "wrap",
    [p("value", "Variant"), p("min", "Variant"), p("max", "Variant")],
    "Wraps a value into [min, max).",
  ),
  fn(
    "wrapf",
    [p("value", "float"), p("min", "float"), p("max", "float")],
    "float",
    "Wraps a float into [min, max).",
  ),
  fn(
    "wrapi",
    [p("value", "int"), p("min", "int"), p("max", "int")],
    "int",
    "Wraps an int into [min, max).",
  ),
  fn(
    "pingpong",
    [p("value", "float"), p("length", "float")],
    "float",
    "Bounces between 0 and length.",
  ),
  fn(
    "snappedf",
    [p("x", "float"), p("step", "float")],
    "float",
    "The multiple of step closest to x.",
  ),
  fn("snappedi", [p("x", "float"), p("step", "int")], "int", "The multiple of step closest to x."),
  fn("fmod", [p("x", "float"), p("y", "float")], "float", "Float remainder."),
  fn("fposmod", [p("x", "float"), p("y", "float")], "float", "Float remainder, never negative."),
  fn("posmod", [p("x", "int"), p("y", "int")], "int", "Int remainder, never negative."),
  fn("pow", [p("base", "float"), p("exp", "float")], "float", "base raised to exp."),
  math1("sqrt", "Square root."),
  math1("exp", "e raised to x."),
  math1("log", "Natural logarithm."),
  math1("sin", "Sine (radians)."),
  math1("cos", "Cosine (radians)."),
  math1("tan", "Tangent (radians)."),
  math1("asin", "Arc sine."),
  math1("acos", "Arc cosine."),
  math1("atan", "Arc tangent."),
  math1("tanh", "Hyperbolic tangent."),
  fn("atan2", [p("y", "float"), p("x", "float")], "float", "Angle of the point (x, y)."),
  math1("deg_to_rad", "Degrees to radians."),
  math1("rad_to_deg", "Radians to degrees."),
  fn(
    "is_equal_approx",
    [p("a", "float"), p("b", "float")],
    "bool",
    "Whether two floats are close.",
  ),
  fn("is_zero_approx", [p("x", "float")], "bool", "Whether a float is close to 0."),
  fn("is_finite", [p("x", "float")], "bool", "Neither NaN nor infinite."),
  fn("is_nan", [p("x", "float")], "bool", "Whether x is NaN."),
  fn("is_inf", [p("x", "float")], "bool", "Whether x is infinite."),
];

const CONSTANTS: ConstantSpec[] = [
  k("PI", "float", "π, half a turn in radians."),
  k("TAU", "float", "2π, a full turn in radians."),
  k("INF", "float", "Positive infinity."),
  k("NAN", "float", "Not a number."),
  ...CONNECT_FLAGS.map(([name, value, doc]) => k(name, "int", doc, value)),
];

// ---------------------------------------------------------------------------------------------
// Built-in value types.

const VECTOR3_DIRECTIONS: ConstantSpec[] = [
  k("ZERO", "Vector3", "(0, 0, 0)"),
  k("ONE", "Vector3", "(1, 1, 1)"),
  k("UP", "Vector3", "(0, 1, 0)"),
  k("DOWN", "Vector3", "(0, -1, 0)"),
  k("LEFT", "Vector3", "(-1, 0, 0)"),
  k("RIGHT", "Vector3", "(1, 0, 0)"),
  k("FORWARD", "Vector3", "(0, 0, -1)"),
  k("BACK", "Vector3", "(0, 0, 1)"),
];

const VECTOR3_METHODS: MethodSpec[] = [
  fn("length", [], "float", "Length."),
  fn("length_squared", [], "float", "Squared length (cheaper)."),
  fn("normalized", [], "Vector3", "Same direction, length 1."),
  fn("is_normalized", [], "bool", "Whether the length is 1."),
  fn("distance_to", [p("to", "Vector3")], "float", "Distance to a point."),
  fn("distance_squared_to", [p("to", "Vector3")], "float", "Squared distance to a point."),
  fn("direction_to", [p("to", "Vector3")], "Vector3", "Normalized direction to a point."),
  fn("dot", [p("with", "Vector3")], "float", "Dot product."),
  fn("cross", [p("with", "Vector3")], "Vector3", "Cross product."),
  fn("angle_to", [p("to", "Vector3")], "float", "Unsigned angle to another vector (radians)."),
  fn(
    "signed_angle_to",
    [p("to", "Vector3"), p("axis", "Vector3")],
    "float",
    "Signed angle around an axis.",
  ),
  fn("lerp", [p("to", "Vector3"), p("weight", "float")], "Vector3", "Linear interpolation."),
  fn("slerp", [p("to", "Vector3"), p("weight", "float")], "Vector3", "Spherical interpolation."),
  fn(
    "move_toward",
    [p("to", "Vector3"), p("delta", "float")],
    "Vector3",
    "Moves toward a point by at most delta.",
  ),
  fn(
    "rotated",
    [p("axis", "Vector3"), p("angle", "float")],
    "Vector3",
    "Rotated around a normalized axis by an angle (radians).",
  ),
  fn("limit_length", [o("length", "float")], "Vector3", "Shortened to at most a length."),
  fn("abs", [], "Vector3", "Absolute value of each component."),
  fn("sign", [], "Vector3", "Sign of each component."),
  fn("floor", [], "Vector3", "Each component rounded down."),
  fn("ceil", [], "Vector3", "Each component rounded up."),
  fn("round", [], "Vector3", "Each component rounded."),
  fn("snapped", [p("step", "Vector3")], "Vector3", "Each component snapped to a step."),
  fn("clamp", [p("min", "Vector3"), p("max", "Vector3")], "Vector3", "Each component clamped."),
  fn("bounce", [p("n", "Vector3")], "Vector3", "Bounced off a plane of normal n."),
  fn("reflect", [p("n", "Vector3")], "Vector3", "Reflected on a plane of normal n."),
  fn("slide", [p("n", "Vector3")], "Vector3", "Slid along a plane of normal n."),
  fn("project", [p("b", "Vector3")], "Vector3", "Projected onto b."),
  fn("is_zero_approx", [], "bool", "Whether every component is close to 0."),
  fn("is_equal_approx", [p("to", "Vector3")], "bool", "Whether close to another vector."),
  fn("is_finite", [], "bool", "Whether every component is finite."),
];

const VECTOR2_METHODS: MethodSpec[] = [
  fn("length", [], "float", "Length."),
  fn("length_squared", [], "float", "Squared length."),
  fn("normalized", [], "Vector2", "Same direction, length 1."),
  fn("angle", [], "float", "Angle to the +X axis (radians)."),
  fn("angle_to", [p("to", "Vector2")], "float", "Angle to another vector."),
  fn("distance_to", [p("to", "Vector2")], "float", "Distance to a point."),
  fn("direction_to", [p("to", "Vector2")], "Vector2", "Normalized direction to a point."),
  fn("dot", [p("with", "Vector2")], "float", "Dot product."),
  fn("cross", [p("with", "Vector2")], "float", "2D cross product."),
  fn("lerp", [p("to", "Vector2"), p("weight", "float")], "Vector2", "Linear interpolation."),
  fn("rotated", [p("angle", "float")], "Vector2", "Rotated by an angle (radians)."),
  fn("orthogonal", [], "Vector2", "Perpendicular vector."),
  fn("abs", [], "Vector2", "Absolute value of each component."),
  fn("floor", [], "Vector2", "Each component rounded down."),
  fn("round", [], "Vector2", "Each component rounded."),
  fn("limit_length", [o("length", "float")], "Vector2", "Shortened to at most a length."),
  fn("is_zero_approx", [], "bool", "Whether every component is close to 0."),
];

const COLOR_NAMES: [string, string][] = [
  ["WHITE", "white"],
  ["BLACK", "black"],
  ["TRANSPARENT", "fully transparent"],
  ["RED", "red"],
  ["GREEN", "green"],
  ["BLUE", "blue"],
  ["YELLOW", "yellow"],
  ["CYAN", "cyan"],
  ["MAGENTA", "magenta"],
  ["ORANGE", "orange"],
  ["ORANGE_RED", "orange red"],
  ["PURPLE", "purple"],
  ["VIOLET", "violet"],
  ["PINK", "pink"],
  ["HOT_PINK", "hot pink"],
  ["LIME", "lime"],
  ["LIME_GREEN", "lime green"],
  ["FOREST_GREEN", "forest green"],
  ["DARK_GREEN", "dark green"],
  ["GOLD", "gold"],
  ["SILVER", "silver"],
  ["GRAY", "gray"],
  ["DARK_GRAY", "dark gray"],
  ["LIGHT_GRAY", "light gray"],
  ["BROWN", "brown"],
  ["CRIMSON", "crimson"],
  ["DARK_RED", "dark red"],
  ["NAVY_BLUE", "navy blue"],
  ["SKY_BLUE", "sky blue"],
  ["DEEP_SKY_BLUE", "deep sky blue"],
  ["DODGER_BLUE", "dodger blue"],
  ["AQUAMARINE", "aquamarine"],
  ["TURQUOISE", "turquoise"],
  ["TEAL", "teal"],
  ["INDIGO", "indigo"],
  ["AQUA", "aqua"],
  ["CORAL", "coral"],
  ["SALMON", "salmon"],
  ["KHAKI", "khaki"],
  ["IVORY", "ivory"],
  ["LAVENDER", "lavender"],
  ["MINT_CREAM", "mint cream"],
  ["CHARTREUSE", "chartreuse"],
  ["TOMATO", "tomato"],
  ["FIREBRICK", "firebrick"],
  ["WHEAT", "wheat"],
];

/** Methods every sized collection (Array, typed Array, PackedStringArray) shares. */
function listMethods(self: string): MethodSpec[] {
  return [
    fn("size", [], "int", "Number of elements."),
    fn("is_empty", [], "bool", "Whether it has no elements."),
    fn("has", [p("value", "Variant")], "bool", "Whether it contains a value."),
    fn("find", [p("what", "Variant"), o("from", "int")], "int", "First index of a value, or -1."),
    fn("count", [p("value", "Variant")], "int", "How many times a value occurs."),
    fn("append", [p("value", "Element")], "void", "Adds a value at the end.", {
      sizes: { grows: [{ from: 0 }] },
    }),
    fn("push_back", [p("value", "Element")], "void", "Adds a value at the end.", {
      sizes: { grows: [{ from: 0 }] },
    }),
    fn(
      "insert",
      [p("position", "int"), p("value", "Element")],
      "int",
      "Inserts a value at an index.",
      { sizes: { grows: [{ from: 1 }] } },
    ),
    fn("remove_at", [p("position", "int")], "void", "Removes the element at an index.", {
      mutates: true,
    }),
    fn(
      "erase",
      [p("value", "Element")],
      self === "PackedStringArray" ? "bool" : "void",
      "Removes the first occurrence of a value.",
      { mutates: true },
    ),
    fn("clear", [], "void", "Removes every element.", { mutates: true }),
    fn("sort", [], "void", "Sorts in ascending order.", { mutates: true }),
    fn("reverse", [], "void", "Reverses the order.", { mutates: true }),
    fn(
      "slice",
      [p("begin", "int"), o("end", "int"), o("step", "int")],
      "Self",
      "A copy of part of it.",
    ),
    fn("duplicate", [o("deep", "bool")], "Self", "A copy."),
  ];
}

const ARRAY_METHODS: MethodSpec[] = [
  ...listMethods("Array"),
  fn("push_front", [p("value", "Element")], "void", "Adds a value at the start.", {
    sizes: { grows: [{ from: 0 }] },
  }),
  fn("pop_back", [], "Element", "Removes and returns the last element (null if empty).", {
    mutates: true,
  }),
  fn("pop_front", [], "Element", "Removes and returns the first element (null if empty).", {
    mutates: true,
  }),
  fn("pop_at", [p("position", "int")], "Element", "Removes and returns the element at an index.", {
    mutates: true,
  }),
  fn("front", [], "Element", "The first element."),
  fn("back", [], "Element", "The last element."),
  fn("min", [], "Element", "The smallest element."),
  fn("max", [], "Element", "The largest element."),
  fn("rfind", [p("what", "Variant"), o("from", "int")], "int", "Last index of a value, or -1."),
  fn("append_array", [p("array", "Array")], "void", "Adds every element of another array.", {
    sizes: { grows: [{ from: 0 }] },
  }),
  fn("fill", [p("value", "Element")], "void", "Sets every element to a value.", {
    sizes: { grows: [{ from: 0, times: "many" }] },
  }),
  fn(
    "resize",
    [p("size", "int", { max: MAX_ARRAY_RESIZE })],
    "int",
    `Sets the number of elements (at most ${MAX_ARRAY_RESIZE}, as a constant or clamped).`,
    { sizes: { grows: [] } },
  ),
  fn(
    "sort_custom",
    [p("func", "Callable", { callback: [["element"], ["element"]] })],
    "void",
    "Sorts with a comparison `func(a, b) -> bool`.",
    { mutates: true },
  ),
  fn(
    "map",
    [p("method", "Callable", { callback: [["element"]] })],
    "Array",
    "A new array of `method(element)` for each element.",
    { sizes: { result: [{ from: "receiver" }, { from: "callback", times: "many" }] } },
  ),
  fn(
    "filter",
    [p("method", "Callable", { callback: [["element"]] })],
    "Self",
    "A new array of the elements for which `method(element)` is true.",
    { sizes: { result: [{ from: "receiver" }] } },
  ),
  fn(
    "reduce",
    [p("method", "Callable", { callback: [["callback", 1], ["element"]] }), o("accum", "Variant")],
    "Variant",
    "Folds the elements: `method(accum, element)` for each, starting from accum.",
    { sizes: { result: [{ from: "callback" }, { from: 1 }] } },
  ),
  fn(
    "any",
    [p("method", "Callable", { callback: [["element"]] })],
    "bool",
    "Whether `method(element)` is true for some element.",
  ),
  fn(
    "all",
    [p("method", "Callable", { callback: [["element"]] })],
    "bool",
    "Whether `method(element)` is true for every element.",
  ),
];

const STRING_METHODS: MethodSpec[] = [
  fn("length", [], "int", "Number of characters."),
  fn("is_empty", [], "bool", 'Whether it is "".'),
  fn("begins_with", [p("text", "String")], "bool", "Whether it starts with a text."),
  fn("ends_with", [p("text", "String")], "bool", "Whether it ends with a text."),
  fn("contains", [p("what", "String")], "bool", "Whether it contains a text."),
  fn("find", [p("what", "String"), o("from", "int")], "int", "Index of a text, or -1."),
  fn("rfind", [p("what", "String"), o("from", "int")], "int", "Last index of a text, or -1."),
  fn("count", [p("what", "String")], "int", "How many times a text occurs."),
  fn("substr", [p("from", "int"), o("len", "int")], "String", "Part of the text.", {
    sizes: { result: [{ from: "receiver" }] },
  }),
  fn("left", [p("length", "int")], "String", "The first characters.", {
    sizes: { result: [{ from: "receiver" }] },
  }),
  fn("right", [p("length", "int")], "String", "The last characters.", {
    sizes: { result: [{ from: "receiver" }] },
  }),
  fn("to_upper", [], "String", "Upper case.", { sizes: { result: [{ from: "receiver" }] } }),
  fn("to_lower", [], "String", "Lower case.", { sizes: { result: [{ from: "receiver" }] } }),
  fn("capitalize", [], "String", "Words capitalized, underscores to spaces.", {
    sizes: { result: [{ from: "receiver", times: 2 }] },
  }),
  fn(
    "strip_edges",
    [o("left", "bool"), o("right", "bool")],
    "String",
    "Without surrounding whitespace.",
    { sizes: { result: [{ from: "receiver" }] } },
  ),
  fn(
    "split",
    [o("delimiter", "String"), o("allow_empty", "bool"), o("maxsplit", "int")],
    "PackedStringArray",
    "The parts between delimiters.",
    { sizes: { result: [{ from: "receiver" }] } },
  ),
  fn(
    "replace",
    [p("what", "String"), p("forwhat", "String")],
    "String",
    "Every occurrence of `what` replaced by `forwhat`. `s = s.replace(a, b)` is refused unless " +
      "`b` is a literal no longer than `a` (repeated, it could double `s` each time).",
    { sizes: { result: [{ from: "receiver", times: "many" }, { from: 1, times: "many" }] } },
  ),
  fn(
    "join",
    [p("parts", "PackedStringArray")],
    "String",
    "The parts joined with this text between.",
    {
      sizes: { result: [{ from: "receiver", times: "many" }, { from: 0 }] },
    },
  ),
  fn("to_int", [], "int", "The number it holds, or 0."),
  fn("to_float", [], "float", "The number it holds, or 0.0."),
  fn("is_valid_int", [], "bool", "Whether it holds an integer."),
  fn("is_valid_float", [], "bool", "Whether it holds a number."),
  fn("unicode_at", [p("at", "int")], "int", "The character code at an index."),
  fn(
    "repeat",
    [p("count", "int", { max: MAX_STRING_REPEAT })],
    "String",
    `The text repeated (at most ${MAX_STRING_REPEAT} times, as a constant or clamped).`,
    { sizes: { result: [{ from: "receiver", times: { arg: 0 } }] } },
  ),
  fn(
    "pad_zeros",
    [p("digits", "int", { max: MAX_PAD })],
    "String",
    `Zeros added before the number to ${MAX_PAD} digits at most.`,
  ),
  fn(
    "pad_decimals",
    [p("digits", "int", { max: MAX_PAD })],
    "String",
    `Decimals padded or cut to a count (at most ${MAX_PAD}).`,
  ),
  fn(
    "lpad",
    [p("min_length", "int", { max: MAX_PAD }), o("character", "String")],
    "String",
    `Padded on the left to a length (at most ${MAX_PAD}).`,
    { sizes: { result: [{ from: "receiver" }, { from: 1, times: { arg: 0 } }] } },
  ),
  fn(
    "rpad",
    [p("min_length", "int", { max: MAX_PAD }), o("character", "String")],
    "String",
    `Padded on the right to a length (at most ${MAX_PAD}).`,
    { sizes: { result: [{ from: "receiver" }, { from: 1, times: { arg: 0 } }] } },
  ),
  fn(
    "format",
    [p("values", "Variant")],
    "String",
    'Replaces `{key}` or `{0}` placeholders: `"{who} wins".format({"who": name})`. Each ' +
      "placeholder can repeat a value, so `s = s.format(…)` is refused.",
    { sizes: { result: [{ from: "receiver", times: "many" }, { from: 0, times: "many" }] } },
  ),
];

const DICTIONARY_METHODS: MethodSpec[] = [
  fn("size", [], "int", "Number of entries."),
  fn("is_empty", [], "bool", "Whether it has no entries."),
  fn("has", [p("key", "Variant")], "bool", "Whether a key is present."),
  fn("has_all", [p("keys", "Array")], "bool", "Whether every key is present."),
  fn(
    "get",
    [p("key", "Variant"), o("default", "Variant")],
    "Element",
    "The value of a key, or default (null) when absent.",
    { sizes: { result: [{ from: "receiver" }, { from: 1 }] } },
  ),
  fn("keys", [], "Array", "The keys, in insertion order."),
  fn("values", [], "Array", "The values, in insertion order."),
  fn("find_key", [p("value", "Variant")], "Variant", "The first key holding a value, or null."),
  fn("erase", [p("key", "Variant")], "bool", "Removes a key; whether it was present.", {
    mutates: true,
  }),
  fn("clear", [], "void", "Removes every entry.", { mutates: true }),
  fn(
    "merge",
    [p("dictionary", "Dictionary"), o("overwrite", "bool")],
    "void",
    "Adds the entries of another dictionary.",
    { sizes: { grows: [{ from: 0 }] } },
  ),
  fn("duplicate", [o("deep", "bool")], "Dictionary", "A copy."),
];

const VALUE_CLASSES: ClassSpec[] = [
  {
    name: "bool",
    kind: "value",
    doc: "true or false.",
    constructors: [[], [p("from", "Variant")]],
  },
  {
    name: "int",
    kind: "value",
    doc: "A 64-bit integer. `int(x)` converts a float or numeric text.",
    constructors: [[], [p("from", "Variant")]],
  },
  {
    name: "float",
    kind: "value",
    doc: "A 64-bit float. `float(x)` converts an int or numeric text.",
    constructors: [[], [p("from", "Variant")]],
  },
  {
    name: "String",
    kind: "value",
    sized: true,
    doc: 'Text. `+` joins texts; `"%s hits %d" % [name, n]` formats with a literal format ' +
      "(widths at most 64, no `*`). Strings are data: none of the API turns a string into a " +
      "name of a method, property, class, node or file.",
    constructors: [[], [p("from", "Variant")]],
    methods: STRING_METHODS,
    staticMethods: [
      fn(
        "num",
        [p("number", "float"), o("decimals", "int", { max: 32 })],
        "String",
        "A number as text, with at most 32 decimals.",
      ),
      fn("chr", [p("code", "int")], "String", "The character of a code."),
    ],
    index: { key: "int", value: "String", writes: false },
  },
  {
    name: "Vector2",
    kind: "value",
    doc: "A 2D vector of floats.",
    constructors: [[], [p("from", "Vector2")], [p("x", "float"), p("y", "float")]],
    properties: [tprop("x", "float", "X component."), tprop("y", "float", "Y component.")],
    constants: [
      k("ZERO", "Vector2", "(0, 0)"),
      k("ONE", "Vector2", "(1, 1)"),
      k("UP", "Vector2", "(0, -1)"),
      k("DOWN", "Vector2", "(0, 1)"),
      k("LEFT", "Vector2", "(-1, 0)"),
      k("RIGHT", "Vector2", "(1, 0)"),
    ],
    methods: VECTOR2_METHODS,
    staticMethods: [fn("from_angle", [p("angle", "float")], "Vector2", "Unit vector at an angle.")],
  },
  {
    name: "Vector3",
    kind: "value",
    doc: "A 3D vector of floats: positions, directions, scales.",
    constructors: [
      [],
      [p("from", "Vector3")],
      [p("from", "Vector3i")],
      [p("x", "float"), p("y", "float"), p("z", "float")],
    ],
    properties: [
      tprop("x", "float", "X component."),
      tprop("y", "float", "Y component (up)."),
      tprop("z", "float", "Z component."),
    ],
    constants: VECTOR3_DIRECTIONS,
    methods: VECTOR3_METHODS,
  },
  {
    name: "Vector3i",
    kind: "value",
    doc: "A 3D vector of ints: voxel coordinates.",
    constructors: [
      [],
      [p("from", "Vector3")],
      [p("x", "int"), p("y", "int"), p("z", "int")],
    ],
    properties: [
      tprop("x", "int", "X component."),
      tprop("y", "int", "Y component."),
      tprop("z", "int", "Z component."),
    ],
    constants: [
      k("ZERO", "Vector3i", "(0, 0, 0)"),
      k("ONE", "Vector3i", "(1, 1, 1)"),
      k("UP", "Vector3i", "(0, 1, 0)"),
      k("DOWN", "Vector3i", "(0, -1, 0)"),
    ],
    methods: [
      fn("abs", [], "Vector3i", "Absolute value of each component."),
      fn("sign", [], "Vector3i", "Sign of each component."),
      fn("length", [], "float", "Length."),
      fn(
        "clamp",
        [p("min", "Vector3i"), p("max", "Vector3i")],
        "Vector3i",
        "Each component clamped.",
      ),
    ],
  },
  {
    name: "Color",
    kind: "value",
    doc: "An RGBA colour of floats in 0–1.",
    constructors: [
      [],
      [p("from", "Color")],
      [p("from", "Color"), p("alpha", "float")],
      [p("r", "float"), p("g", "float"), p("b", "float")],
      [p("r", "float"), p("g", "float"), p("b", "float"), p("a", "float")],
      [p("code", "String")],
      [p("code", "String"), p("alpha", "float")],
    ],
    properties: [
      tprop("r", "float", "Red."),
      tprop("g", "float", "Green."),
      tprop("b", "float", "Blue."),
      tprop("a", "float", "Alpha (opacity)."),
      tprop("h", "float", "Hue."),
      tprop("s", "float", "Saturation."),
      tprop("v", "float", "Value (brightness)."),
    ],
    constants: COLOR_NAMES.map(([name, doc]) => k(name, "Color", doc)),
    methods: [
      fn("lerp", [p("to", "Color"), p("weight", "float")], "Color", "Linear interpolation."),
      fn("lightened", [p("amount", "float")], "Color", "Lighter by an amount (0–1)."),
      fn("darkened", [p("amount", "float")], "Color", "Darker by an amount (0–1)."),
      fn("inverted", [], "Color", "The inverse colour."),
      fn("blend", [p("over", "Color")], "Color", "Another colour blended over this one."),
      fn("clamp", [o("min", "Color"), o("max", "Color")], "Color", "Components clamped."),
      fn("get_luminance", [], "float", "Perceived brightness."),
      fn("is_equal_approx", [p("to", "Color")], "bool", "Whether close to another colour."),
      fn("to_html", [o("with_alpha", "bool")], "String", "Hex code such as `ff8000ff`."),
    ],
    staticMethods: [
      fn(
        "from_hsv",
        [p("h", "float"), p("s", "float"), p("v", "float"), o("alpha", "float")],
        "Color",
        "A colour from hue, saturation and value.",
      ),
    ],
  },
  {
    name: "Basis",
    kind: "value",
    doc: "A 3×3 rotation and scale.",
    constructors: [
      [],
      [p("from", "Basis")],
      [p("axis", "Vector3"), p("angle", "float")],
      [p("x_axis", "Vector3"), p("y_axis", "Vector3"), p("z_axis", "Vector3")],
    ],
    properties: [
      prop("x", "Vector3", "First column."),
      prop("y", "Vector3", "Second column."),
      prop("z", "Vector3", "Third column."),
    ],
    constants: [k("IDENTITY", "Basis", "No rotation, scale 1.")],
    methods: [
      fn(
        "rotated",
        [p("axis", "Vector3"), p("angle", "float")],
        "Basis",
        "Rotated around an axis.",
      ),
      fn("scaled", [p("scale", "Vector3")], "Basis", "Scaled."),
      fn("inverse", [], "Basis", "The inverse."),
      fn("orthonormalized", [], "Basis", "Without scale or skew."),
      fn("get_euler", [], "Vector3", "Rotation as Euler angles (radians)."),
      fn("get_scale", [], "Vector3", "Scale of each axis."),
    ],
    staticMethods: [
      fn("from_euler", [p("euler", "Vector3")], "Basis", "A rotation from Euler angles (radians)."),
      fn("from_scale", [p("scale", "Vector3")], "Basis", "A scale."),
    ],
  },
  {
    name: "Transform3D",
    kind: "value",
    doc: "A position (`origin`) with a rotation and scale (`basis`).",
    constructors: [
      [],
      [p("from", "Transform3D")],
      [p("basis", "Basis"), p("origin", "Vector3")],
    ],
    properties: [
      prop("origin", "Vector3", "Position."),
      prop("basis", "Basis", "Rotation and scale."),
    ],
    constants: [k("IDENTITY", "Transform3D", "At the origin, no rotation, scale 1.")],
    methods: [
      fn("translated", [p("offset", "Vector3")], "Transform3D", "Moved by an offset."),
      fn(
        "rotated",
        [p("axis", "Vector3"), p("angle", "float")],
        "Transform3D",
        "Rotated around an axis through the origin.",
      ),
      fn(
        "rotated_local",
        [p("axis", "Vector3"), p("angle", "float")],
        "Transform3D",
        "Rotated around its own axis.",
      ),
      fn("scaled", [p("scale", "Vector3")], "Transform3D", "Scaled about the origin."),
      fn("scaled_local", [p("scale", "Vector3")], "Transform3D", "Scaled about itself."),
      fn(
        "looking_at",
        [p("target", "Vector3"), o("up", "Vector3")],
        "Transform3D",
        "Rotated to face a point.",
      ),
      fn("inverse", [], "Transform3D", "The inverse."),
      fn(
        "interpolate_with",
        [p("xform", "Transform3D"), p("weight", "float")],
        "Transform3D",
        "Interpolated toward another transform.",
      ),
    ],
  },
  {
    name: "Array",
    kind: "value",
    sized: true,
    doc:
      "A list of values, shared by reference. `Array[T]` holds only T (e.g. `Array[Vector3]`). " +
      "A `for` loop over an array may not add to that array (or anything it may share) inside " +
      "the loop.",
    constructors: [[], [p("from", "Array")]],
    methods: ARRAY_METHODS,
    iterates: "Element",
    index: { key: "int", value: "Element", writes: true },
  },
  {
    name: "PackedStringArray",
    kind: "value",
    sized: true,
    doc: 'A list of strings, as `String.split` returns; `PackedStringArray(["a", "b"])` ' +
      "makes one.",
    constructors: [[], [p("from", "PackedStringArray")], [p("from", "Array")]],
    methods: listMethods("PackedStringArray"),
    iterates: "String",
    index: { key: "int", value: "String", writes: true },
  },
  {
    name: "Dictionary",
    kind: "value",
    sized: true,
    doc: "Key → value pairs, shared by reference. `for key in d` visits the keys; the loop may " +
      "not add keys to that dictionary.",
    constructors: [[], [p("from", "Dictionary")]],
    methods: DICTIONARY_METHODS,
    iterates: "Variant",
    index: { key: "Variant", value: "Element", writes: true, grows: true },
  },
  {
    name: "Callable",
    kind: "value",
    doc: "A function value: a lambda `func(x): …`, one of the spell's own functions by name, or " +
      "a method listed as a function value (`node.queue_free`). Only the engine calls it (signals, " +
      "tweens, `sort_custom`, `map`…): spells cannot call or build callables from names.",
    methods: [
      fn("bind", [], "Callable", "The callable with arguments fixed at the end.", {
        varargs: "Variant",
      }),
      fn("is_valid", [], "bool", "Whether its object still exists."),
    ],
  },
  {
    name: "Signal",
    kind: "value",
    doc: "A signal of an allowed object (`timer.timeout`, `tween.finished`). `await` it, or " +
      "connect a callable.",
    methods: [
      fn(
        "connect",
        [
          p("callable", "Callable", { callback: [] }),
          o("flags", "int", {
            literal: {
              kind: "flags",
              names: CONNECT_FLAGS.map(([name]) => name),
              mask: CONNECT_FLAGS.reduce((all, [, value]) => all | value, 0),
            },
          }),
        ],
        "int",
        "Calls the callable each time the signal fires. `flags` combines constants among " +
          CONNECT_FLAGS.map(([name]) => `\`${name}\``).join(", ") + " with `|`.",
      ),
      fn("disconnect", [p("callable", "Callable")], "void", "Stops calling the callable."),
      fn("is_connected", [p("callable", "Callable")], "bool", "Whether the callable is connected."),
    ],
  },
];

// ---------------------------------------------------------------------------------------------
// The spell's world: SpellContext, WorldAPIAdapter, SpellModule (the Godot client's classes).

const SPAWN_PROPS = {
  kind: "options",
  keys: {
    position: { type: "Vector3", doc: "position of the spawned scene" },
    rotation: { type: "Vector3", doc: "rotation (radians)" },
    scale: { type: "Vector3", doc: "scale" },
    visible: { type: "bool", doc: "visibility" },
  },
} as const;

const VFX_PARAMS = {
  kind: "options",
  keys: {
    color: { type: "Color", doc: "particle colour (default cyan)" },
    amount: {
      type: "int",
      doc: `particle count (default 16, at most ${MAX_VFX_AMOUNT})`,
      max: MAX_VFX_AMOUNT,
    },
    speed: { type: "float", doc: "initial speed (default 5)" },
    lifetime: {
      type: "float",
      doc: `seconds each particle lives (default 0.5, at most ${MAX_VFX_LIFETIME})`,
      max: MAX_VFX_LIFETIME,
    },
  },
} as const;

const SOUND_PARAMS = {
  kind: "options",
  keys: {
    volume_db: {
      type: "float",
      doc: `volume in dB (default 0, at most ${MAX_SOUND_VOLUME_DB})`,
      max: MAX_SOUND_VOLUME_DB,
    },
  },
} as const;

const WORLD_CLASSES: ClassSpec[] = [
  {
    name: "SpellContext",
    kind: "object",
    doc: "The cast being run: who cast it, where, with which seed. Its fields are read-only.",
    properties: [
      {
        ...rprop("caster_id", "String", "The id of the casting player."),
        bound: { count: 64, weight: 65 },
      },
      rprop("target_position", "Vector3", "Target position in world space."),
      {
        ...rprop("target_entity_id", "String", 'The targeted entity\'s id, or "".'),
        bound: { count: 32768, weight: 32769 },
      },
      rprop("world", "WorldAPIAdapter", "The world: effects, spawning, terrain, combat."),
      rprop("random_seed", "int", "The cast's seed, the same on every client."),
      rprop("rng", "RandomNumberGenerator", "A generator seeded with `random_seed`."),
      rprop("mana_budget", "float", "Mana available for this cast."),
      rprop("cast_time", "float", "When the spell was cast (server time)."),
      rprop("tick_index", "int", "The current tick (in `on_tick`)."),
      {
        ...rprop(
          "params",
          "Dictionary",
          "The cast's `cast_params` (JSON data from the caster). Read-only: change a copy " +
            "(`ctx.params.duplicate(true)`).",
        ),
        bound: PARAMS_BOUND,
      },
      {
        ...rprop(
          "manifest",
          "Dictionary",
          "The spell's manifest. Read-only: change a copy (`ctx.manifest.duplicate(true)`).",
        ),
        bound: MANIFEST_BOUND,
      },
    ],
    methods: [
      fn("randf", [], "float", "A random float in [0, 1] from the synced generator."),
      fn(
        "randi_range",
        [p("from", "int"), p("to", "int")],
        "int",
        "A random int in [from, to] from the synced generator.",
      ),
      fn(
        "randf_range",
        [p("from", "float"), p("to", "float")],
        "float",
        "A random float in [from, to] from the synced generator.",
      ),
    ],
  },
  {
    name: "RandomNumberGenerator",
    kind: "object",
    doc: "`ctx.rng`: seeded with the cast's seed, so every client draws the same numbers.",
    methods: [
      fn("randf", [], "float", "A float in [0, 1]."),
      fn("randi", [], "int", "A 32-bit unsigned int."),
      fn("randf_range", [p("from", "float"), p("to", "float")], "float", "A float in [from, to]."),
      fn("randi_range", [p("from", "int"), p("to", "int")], "int", "An int in [from, to]."),
      fn(
        "randfn",
        [o("mean", "float"), o("deviation", "float")],
        "float",
        "A normally distributed float.",
      ),
    ],
  },
  {
    name: "WorldAPIAdapter",
    kind: "object",
    doc: "`ctx.world`: the only way a spell affects the world. Each method needs a capability " +
      "that the server must allow (`SPELL_CAPABILITIES`).",
    methods: [
      fn(
        "spawn_entity",
        [
          p("scene_path", "String", { literal: { kind: "asset_path" } }),
          p("transform", "Transform3D"),
          o("props", "Dictionary", { literal: SPAWN_PROPS }),
        ],
        "Node",
        "Instances a scene of the spell's own package: `scene_path` is a string literal " +
          '`"assets/…"` (never an engine path), `props` a dictionary literal of position, ' +
          "rotation, scale, visible.",
        { capability: "spawn", prints: true, creates: true },
      ),
      fn(
        "spawn_simple_mesh",
        [p("mesh", "Mesh"), p("transform", "Transform3D"), o("material", "Material")],
        "MeshInstance3D",
        "Adds a mesh to the world.",
        { capability: "spawn", creates: true },
      ),
      fn(
        "play_vfx",
        [
          p("asset_id", "String"),
          p("position", "Vector3"),
          o("params", "Dictionary", { literal: VFX_PARAMS }),
        ],
        "Node",
        "Plays a particle effect (`assets/<asset_id>` of the package, or a built-in burst); " +
          "`params` is a dictionary literal of color, amount, speed, lifetime.",
        { capability: "vfx", prints: true, creates: true },
      ),
      fn(
        "play_sound",
        [
          p("asset_id", "String"),
          p("position", "Vector3"),
          o("params", "Dictionary", { literal: SOUND_PARAMS }),
        ],
        "void",
        "Plays `assets/<asset_id>` of the package at a position; `params` is a dictionary " +
          "literal of volume_db.",
        { capability: "sound", prints: true, creates: true },
      ),
      fn(
        "set_voxel",
        [p("position", "Vector3"), p("value", "int")],
        "bool",
        "Adds (value > 0, the material) or digs (0) terrain around a point; each call sends a " +
          "voxel op to the server.",
        { capability: "voxel", prints: true },
      ),
      fn(
        "set_voxel_region",
        [p("region_start", "Vector3"), p("region_end", "Vector3"), p("value", "int")],
        "bool",
        "Sets the voxels of a box.",
        { capability: "voxel", prints: true },
      ),
      fn(
        "deal_damage",
        [p("entity_id", "String"), p("amount", "float"), o("damage_type", "String")],
        "bool",
        'Damages an entity (`damage_type` defaults to "magic").',
        { capability: "damage", prints: true },
      ),
      fn(
        "query_radius",
        [p("position", "Vector3"), p("radius", "float"), o("filter", "Dictionary")],
        "Array",
        `The entities within a radius (at most ${QUERY_BOUND.count}).`,
        { capability: "query", prints: true, bound: QUERY_BOUND },
      ),
      fn(
        "emit_event",
        [p("event_name", "String"), p("event_data", "Dictionary")],
        "void",
        "Sends a custom event to other spells and systems.",
        { capability: "events", prints: true },
      ),
    ],
  },
  {
    name: "SpellModule",
    kind: "object",
    doc: "The class every spell extends; its methods are available on `self` (or unqualified).",
    methods: [
      fn(
        "get_manifest",
        [],
        "Dictionary",
        "Spell metadata; override it to return your own.",
      ),
      fn(
        "get_param",
        [p("ctx", "SpellContext"), p("key", "String"), o("default_value", "Variant")],
        "Variant",
        "`ctx.params[key]`, or the default when absent.",
      ),
      fn(
        "has_asset",
        [p("ctx", "SpellContext"), p("relative_path", "String")],
        "bool",
        "Whether the package has a loaded asset at a path.",
      ),
    ],
  },
];

// ---------------------------------------------------------------------------------------------
// Engine classes for visual effects.

const TRANS: [string, number][] = [
  ["TRANS_LINEAR", 0],
  ["TRANS_SINE", 1],
  ["TRANS_QUINT", 2],
  ["TRANS_QUART", 3],
  ["TRANS_QUAD", 4],
  ["TRANS_EXPO", 5],
  ["TRANS_ELASTIC", 6],
  ["TRANS_CUBIC", 7],
  ["TRANS_CIRC", 8],
  ["TRANS_BOUNCE", 9],
  ["TRANS_BACK", 10],
  ["TRANS_SPRING", 11],
];
const EASE: [string, number][] = [
  ["EASE_IN", 0],
  ["EASE_OUT", 1],
  ["EASE_IN_OUT", 2],
  ["EASE_OUT_IN", 3],
];

/** `set_trans`/`set_ease` take one of the constants (Godot would index its tables with others). */
const TRANS_RANGE = { min: 0, max: TRANS.length - 1 };
const EASE_RANGE = { min: 0, max: EASE.length - 1 };

const TWEENER_SHAPING: MethodSpec[] = [
  fn("set_trans", [p("trans", "int", TRANS_RANGE)], "Self", "Transition curve: `Tween.TRANS_*`."),
  fn("set_ease", [p("ease", "int", EASE_RANGE)], "Self", "Easing: `Tween.EASE_*`."),
  fn(
    "set_delay",
    [p("delay", "float", { min: 0 })],
    "Self",
    "Waits before starting (at least 0: a negative delay makes a step take no time, and a " +
      "tween that loops for ever would then loop within one frame).",
  ),
];

const ENGINE_CLASSES: ClassSpec[] = [
  {
    name: "Node",
    kind: "object",
    doc: "A node the spell spawned or created. Only these members: no path, parent, tree or " +
      "viewport access.",
    methods: [
      fn("queue_free", [], "void", "Removes and frees the node at the end of the frame.", {
        value: true,
      }),
      fn(
        "add_child",
        [p("node", "Node")],
        "void",
        "Adds a node the spell created (a Timer, a light, a mesh) under this one.",
      ),
      fn("create_tween", [], "Tween", "A tween bound to this node (stops when it is freed).", {
        creates: true,
      }),
      fn("is_inside_tree", [], "bool", "Whether the node is in the world."),
      fn("is_queued_for_deletion", [], "bool", "Whether `queue_free` was called."),
    ],
  },
  {
    name: "Node3D",
    kind: "object",
    extends: "Node",
    doc: "A node with a position in the world.",
    properties: [
      tprop("position", "Vector3", "Position relative to its parent."),
      tprop("rotation", "Vector3", "Rotation (radians, Euler)."),
      tprop("rotation_degrees", "Vector3", "Rotation in degrees."),
      tprop("scale", "Vector3", "Scale."),
      tprop("global_position", "Vector3", "Position in the world."),
      tprop("transform", "Transform3D", "Transform relative to its parent."),
      tprop("global_transform", "Transform3D", "Transform in the world."),
      tprop("visible", "bool", "Whether it is drawn."),
    ],
    methods: [
      fn("translate", [p("offset", "Vector3")], "void", "Moves by an offset (local axes)."),
      fn("rotate", [p("axis", "Vector3"), p("angle", "float")], "void", "Rotates around an axis."),
      fn("rotate_x", [p("angle", "float")], "void", "Rotates around X."),
      fn("rotate_y", [p("angle", "float")], "void", "Rotates around Y."),
      fn("rotate_z", [p("angle", "float")], "void", "Rotates around Z."),
      fn(
        "look_at",
        [p("target", "Vector3"), o("up", "Vector3")],
        "void",
        "Turns to face a point in the world.",
      ),
      fn("show", [], "void", "Makes it visible.", { value: true }),
      fn("hide", [], "void", "Hides it.", { value: true }),
    ],
  },
  {
    name: "GeometryInstance3D",
    kind: "object",
    extends: "Node3D",
    doc: "A visible 3D node.",
    properties: [
      prop("material_override", "Material", "Material used for the whole geometry."),
      tprop("transparency", "float", "0 opaque … 1 invisible."),
    ],
  },
  {
    name: "MeshInstance3D",
    kind: "object",
    extends: "GeometryInstance3D",
    instantiable: true,
    doc: "A mesh in the world, as `spawn_simple_mesh` returns; `MeshInstance3D.new()` makes one " +
      "to add under a spawned node.",
    properties: [prop("mesh", "Mesh", "The mesh drawn.")],
  },
  {
    name: "Light3D",
    kind: "object",
    extends: "Node3D",
    doc: "A light.",
    properties: [
      tprop("light_color", "Color", "Colour."),
      tprop("light_energy", "float", "Brightness."),
    ],
  },
  {
    name: "OmniLight3D",
    kind: "object",
    extends: "Light3D",
    instantiable: true,
    doc: "A point light, to add under a spawned node.",
    properties: [tprop("omni_range", "float", "Radius of the light.")],
  },
  {
    name: "Timer",
    kind: "object",
    extends: "Node",
    instantiable: true,
    doc: "Fires `timeout` after `wait_time` seconds once added under a spawned node and started. " +
      "`await timer.timeout` waits for it.",
    properties: [
      prop("wait_time", "float", "Seconds until timeout."),
      prop("one_shot", "bool", "Stops after one timeout (otherwise repeats)."),
      prop("autostart", "bool", "Starts when it enters the world."),
      prop("paused", "bool", "Paused."),
      rprop("time_left", "float", "Seconds left."),
    ],
    methods: [
      fn("start", [o("time_sec", "float")], "void", "Starts (optionally with a new wait time)."),
      fn("stop", [], "void", "Stops.", { value: true }),
      fn("is_stopped", [], "bool", "Whether it is stopped."),
    ],
    signals: [{ name: "timeout", params: [], doc: "Fired when the time runs out." }],
  },
  {
    name: "Tween",
    kind: "object",
    doc: "An animation from `node.create_tween()`. `tween_property`'s property is a string " +
      "literal naming an animatable property of the object's type (listed as *tweenable* here), " +
      'optionally with a component: `"rotation:y"`.',
    constants: [
      ...TRANS.map(([name, value]) => k(name, "int", "transition curve", value)),
      ...EASE.map(([name, value]) => k(name, "int", "easing", value)),
    ],
    methods: [
      fn(
        "tween_property",
        [
          p("object", "Object"),
          p("property", "String", { literal: { kind: "property_path", of: 0 } }),
          p("final_val", "Variant"),
          p("duration", "float"),
        ],
        "PropertyTweener",
        "Animates a property to a value over some seconds.",
      ),
      fn("tween_interval", [p("time", "float")], "IntervalTweener", "Waits some seconds."),
      fn(
        "tween_callback",
        [p("callback", "Callable", { callback: [] })],
        "CallbackTweener",
        "Calls a callable.",
      ),
      fn(
        "tween_method",
        [
          p("method", "Callable", { callback: [[1, 2]] }),
          p("from", "Variant"),
          p("to", "Variant"),
          p("duration", "float", { max: MAX_TWEEN_METHOD_SECONDS }),
        ],
        "MethodTweener",
        "Calls a callable with a value going from `from` to `to`, every frame for `duration` " +
          `seconds: the callable is counted ${TWEEN_METHOD_CALLS_PER_SECOND} times for each ` +
          "second (and each loop).",
      ),
      fn(
        "set_loops",
        [o("loops", "int", { max: MAX_TWEEN_LOOPS })],
        "Tween",
        `Plays it this many times (1 to ${MAX_TWEEN_LOOPS}, a constant or clamped). Forever ` +
          "(`set_loops()` or 0) only for a tween made by `node.create_tween()` and kept in a " +
          "variable, that only animates that node's properties (and waits) for at least " +
          `${MIN_FOREVER_STEP} s a step: a forever loop of steps that take no time would hang ` +
          "every client.",
      ),
      fn("set_parallel", [o("parallel", "bool")], "Tween", "Runs the next steps together."),
      fn("parallel", [], "Tween", "Runs the next step with the previous one."),
      fn("chain", [], "Tween", "Runs the next step after the previous ones."),
      fn(
        "set_trans",
        [p("trans", "int", TRANS_RANGE)],
        "Tween",
        "Default transition: `Tween.TRANS_*`.",
      ),
      fn("set_ease", [p("ease", "int", EASE_RANGE)], "Tween", "Default easing: `Tween.EASE_*`."),
      fn("kill", [], "void", "Stops and discards it.", { value: true }),
      fn("is_running", [], "bool", "Whether it is playing."),
      fn("is_valid", [], "bool", "Whether it can still be used."),
    ],
    signals: [
      { name: "finished", params: [], doc: "Fired when every step is done." },
      { name: "loop_finished", params: ["int"], doc: "Fired after each loop." },
    ],
  },
  {
    name: "PropertyTweener",
    kind: "object",
    doc: "A step of a tween that animates a property.",
    methods: [
      ...TWEENER_SHAPING,
      fn("from", [p("value", "Variant")], "PropertyTweener", "Starts from a given value."),
      fn("from_current", [], "PropertyTweener", "Starts from the current value."),
      fn("as_relative", [], "PropertyTweener", "The final value is added to the current one."),
    ],
  },
  {
    name: "MethodTweener",
    kind: "object",
    doc: "A step of a tween that calls a callable with a changing value.",
    methods: TWEENER_SHAPING,
  },
  {
    name: "CallbackTweener",
    kind: "object",
    doc: "A step of a tween that calls a callable.",
    methods: [
      fn(
        "set_delay",
        [p("delay", "float", { min: 0 })],
        "CallbackTweener",
        "Waits before calling (at least 0).",
      ),
    ],
  },
  {
    name: "IntervalTweener",
    kind: "object",
    doc: "A step of a tween that waits.",
  },
  {
    name: "Material",
    kind: "object",
    doc: "Any material.",
  },
  {
    name: "StandardMaterial3D",
    kind: "object",
    extends: "Material",
    instantiable: true,
    doc: "A physically based material.",
    constants: [
      k("TRANSPARENCY_DISABLED", "int", "opaque", 0),
      k("TRANSPARENCY_ALPHA", "int", "alpha blending", 1),
      k("SHADING_MODE_UNSHADED", "int", "no lighting", 0),
      k("SHADING_MODE_PER_PIXEL", "int", "normal lighting", 1),
    ],
    properties: [
      tprop("albedo_color", "Color", "Base colour."),
      tprop("metallic", "float", "Metalness 0–1."),
      tprop("roughness", "float", "Roughness 0–1."),
      prop("emission_enabled", "bool", "Whether it glows."),
      tprop("emission", "Color", "Glow colour."),
      tprop("emission_energy_multiplier", "float", "Glow strength."),
      prop("transparency", "int", "`StandardMaterial3D.TRANSPARENCY_*`."),
      prop("shading_mode", "int", "`StandardMaterial3D.SHADING_MODE_*`."),
    ],
  },
  {
    name: "Mesh",
    kind: "object",
    doc: "Any mesh.",
  },
  {
    name: "PrimitiveMesh",
    kind: "object",
    extends: "Mesh",
    doc: "A generated mesh.",
    properties: [prop("material", "Material", "Material of the mesh.")],
  },
  mesh("BoxMesh", "A box.", [tprop("size", "Vector3", "Size on each axis.")]),
  mesh("SphereMesh", "A sphere.", [
    tprop("radius", "float", "Radius."),
    tprop("height", "float", "Height (2 × radius for a round sphere)."),
  ]),
  mesh("CylinderMesh", "A cylinder or cone.", [
    tprop("top_radius", "float", "Radius at the top."),
    tprop("bottom_radius", "float", "Radius at the bottom."),
    tprop("height", "float", "Height."),
  ]),
  mesh("CapsuleMesh", "A capsule.", [
    tprop("radius", "float", "Radius."),
    tprop("height", "float", "Total height."),
  ]),
  mesh("PrismMesh", "A triangular prism.", [
    tprop("size", "Vector3", "Size on each axis."),
    tprop("left_to_right", "float", "Where the top edge is, 0–1."),
  ]),
  mesh("TorusMesh", "A ring.", [
    tprop("inner_radius", "float", "Inner radius."),
    tprop("outer_radius", "float", "Outer radius."),
  ]),
  mesh("PlaneMesh", "A flat rectangle facing up.", [tprop("size", "Vector2", "Width and depth.")]),
  mesh("QuadMesh", "A flat rectangle facing +Z.", [], "PlaneMesh"),
];

// ---------------------------------------------------------------------------------------------

/** The API. `version` is the manifest's `interface_version`. */
export const SPELLSCRIPT_API: SpellScriptApi = {
  version: "2.1",
  capabilities: (Object.keys(CAPABILITY_DOCS) as Capability[]).sort().map((name) => ({
    name,
    doc: CAPABILITY_DOCS[name],
  })),
  functions: FUNCTIONS,
  constants: CONSTANTS,
  classes: [...VALUE_CLASSES, ...WORLD_CLASSES, ...ENGINE_CLASSES],
  base: "SpellModule",
  callbacks: [
    {
      name: "on_cast",
      params: [["ctx", "SpellContext"]],
      doc: "Required. Called on every client in the world when the spell is cast.",
      required: true,
    },
    {
      name: "on_tick",
      params: [["ctx", "SpellContext"], ["dt", "float"]],
      doc: "Called each frame while the spell is active.",
    },
    {
      name: "on_cancel",
      params: [["ctx", "SpellContext"]],
      doc: "Called when the spell is cancelled.",
    },
    {
      name: "on_event",
      params: [["ctx", "SpellContext"], ["event", "Dictionary"]],
      doc: "Called with a custom event. The event is read-only: change a copy " +
        "(`event.duplicate(true)`).",
      bounds: { event: EVENT_BOUND },
    },
  ],
  annotations: [
    {
      name: "warning_ignore",
      why: "silences an editor warning; it changes nothing when the spell runs",
    },
    {
      name: "warning_ignore_start",
      why: "silences editor warnings from here on; no effect at run time",
    },
    {
      name: "warning_ignore_restore",
      why: "ends `@warning_ignore_start`; no effect at run time",
    },
  ],
  reservedFunctions: [
    "_to_string",
    "_notification",
    "_get",
    "_set",
    "_get_property_list",
    "_property_can_revert",
    "_property_get_revert",
    "_validate_property",
    "_iter_init",
    "_iter_next",
    "_iter_get",
    "_static_init",
  ].map((name) => ({ name, why: "the engine calls it implicitly" })),
  forbidden: [
    ...named(
      "reaches the operating system, files, the network, threads or the engine itself",
      [
        "OS",
        "Engine",
        "EngineDebugger",
        "ProjectSettings",
        "FileAccess",
        "DirAccess",
        "ResourceLoader",
        "ResourceSaver",
        "ClassDB",
        "IP",
        "HTTPRequest",
        "HTTPClient",
        "TCPServer",
        "UDPServer",
        "StreamPeerTCP",
        "PacketPeerUDP",
        "WebSocketPeer",
        "WebSocketMultiplayerPeer",
        "ENetConnection",
        "ENetMultiplayerPeer",
        "MultiplayerAPI",
        "UPNP",
        "ZIPPacker",
        "ZIPReader",
        "Image",
        "GDExtensionManager",
        "WorkerThreadPool",
        "Thread",
        "Mutex",
        "Semaphore",
        "DisplayServer",
        "Input",
        "JavaScriptBridge",
        "JavaClassWrapper",
        "Marshalls",
        "Performance",
        "NativeMenu",
        "TranslationServer",
      ],
    ),
    ...named("compiles or runs code from data", [
      "GDScript",
      "Script",
      "Expression",
      "get_script",
      "set_script",
      "script",
      "Object",
      "instance_from_id",
      "type_convert",
    ]),
    ...named("turns data into objects", [
      "str_to_var",
      "bytes_to_var",
      "bytes_to_var_with_objects",
      "var_to_bytes_with_objects",
      "dict_to_inst",
      "inst_to_dict",
      "JSON",
      "load",
      "preload",
    ]),
    ...named("calls or reads members by a name given as a string", [
      "call",
      "callv",
      "call_deferred",
      "set",
      "set_deferred",
      "set_indexed",
      "get_indexed",
      "emit_signal",
      "has_method",
      "has_signal",
      "get_signal_list",
      "get_method_list",
      "get_property_list",
      "get_meta",
      "set_meta",
      "has_meta",
      "notification",
      "propagate_call",
      "funcref",
      "NodePath",
      "StringName",
    ]),
    ...named("reaches the scene tree, other nodes or the viewport", [
      "get_tree",
      "get_node",
      "get_node_or_null",
      "get_parent",
      "get_children",
      "get_child",
      "get_viewport",
      "get_window",
      "find_child",
      "owner",
      "SceneTree",
    ]),
    ...named("frees memory the engine still uses", ["free"]),
    ...named(
      "uses the global random generator, which differs between clients: use ctx.rng " +
        "(ctx.randf(), ctx.randi_range(…), ctx.rng.randfn(…))",
      ["randomize", "seed", "rand_from_seed", "shuffle", "pick_random"],
    ),
    ...named("reads the clock, which differs between clients", ["Time"]),
  ],
  excluded: [
    ...["_init", "init_from_cast_event"].map((name) => ({
      owner: "SpellContext",
      name,
      why: "client plumbing: the client builds the context from the cast event",
    })),
    { owner: "WorldAPIAdapter", name: "_init", why: "client plumbing: the client builds it" },
    {
      owner: "WorldAPIAdapter",
      name: "set_spell_cache_path",
      why: "client plumbing: where the package's files are cached",
    },
    {
      owner: "WorldAPIAdapter",
      name: "register_asset",
      why: "would let a spell replace the assets that spawn_entity and play_vfx instance",
    },
    {
      owner: "WorldAPIAdapter",
      name: "get_asset",
      why: "hands out a raw Resource (a scene, a script) that a spell could instance or inspect",
    },
    {
      owner: "WorldAPIAdapter",
      name: "_create_simple_particle_effect",
      why: "private helper of play_vfx",
    },
    { owner: "WorldAPIAdapter", name: "_scene_root", why: "the scene root: the whole game" },
    { owner: "WorldAPIAdapter", name: "_world", why: "the World autoload: the network and more" },
    { owner: "WorldAPIAdapter", name: "_loaded_assets", why: "the package's raw resources" },
    { owner: "WorldAPIAdapter", name: "_spell_cache_path", why: "a filesystem path" },
    ...["on_cast", "on_tick", "on_cancel", "on_event"].map((name) => ({
      owner: "SpellModule",
      name,
      why: "an engine callback the spell defines (see Callbacks), not something it calls",
    })),
  ],
  limits: {
    maxIterations: 4096,
    maxFormatWidth: MAX_PAD,
    maxValueSize: 1_048_576,
    maxGrowthPerRun: 256,
    maxObjectsPerRun: 256,
    maxPrintsPerRun: 256,
    maxPrintChars: 131072,
    maxPrintedPerRun: 1_048_576,
    maxObjectsPerFrame: 8,
    maxPrintsPerFrame: 8,
    maxPrintedPerFrame: 8192,
    maxTweenLoops: MAX_TWEEN_LOOPS,
    charsPerWork: 8192,
  },
};

/** Every capability name, sorted. */
export const CAPABILITY_NAMES: readonly Capability[] = SPELLSCRIPT_API.capabilities.map((c) =>
  c.name
);

function named(why: string, names: string[]): { name: string; why: string }[] {
  return names.map((name) => ({ name, why }));
}
