/**
 * The annotations Godot 4.6's GDScript parser knows (`GDScriptParser::GDScriptParser()`), with
 * where each may appear and how many arguments it takes. An unknown annotation is a parse error
 * in Godot, so it is one here too; which of these a spell may use is the verifier's decision.
 *
 * @module
 */

/** Where an annotation may appear (Godot's `AnnotationInfo::TargetKind` bits). */
export const Target = {
  SCRIPT: 1 << 0,
  CLASS: 1 << 1,
  VARIABLE: 1 << 2,
  CONSTANT: 1 << 3,
  SIGNAL: 1 << 4,
  FUNCTION: 1 << 5,
  STATEMENT: 1 << 6,
  STANDALONE: 1 << 7,
  CLASS_LEVEL: (1 << 1) | (1 << 2) | (1 << 3) | (1 << 4) | (1 << 5),
} as const;

/** One known annotation. */
export interface AnnotationInfo {
  /** Bit set of {@linkcode Target}s. */
  readonly targets: number;
  /** Number of declared parameters. */
  readonly params: number;
  /** How many trailing parameters have defaults. */
  readonly defaults: number;
  /** True if it takes any number of extra arguments. */
  readonly vararg: boolean;
}

function info(targets: number, params = 0, defaults = 0, vararg = false): AnnotationInfo {
  return { targets, params, defaults, vararg };
}

const { SCRIPT, CLASS, VARIABLE, FUNCTION, STATEMENT, STANDALONE, CLASS_LEVEL } = Target;

/** Known annotations by name (without `@`). */
export const ANNOTATIONS: ReadonlyMap<string, AnnotationInfo> = new Map([
  ["tool", info(SCRIPT)],
  ["icon", info(SCRIPT, 1)],
  ["static_unload", info(SCRIPT)],
  ["abstract", info(SCRIPT | CLASS | FUNCTION)],
  ["onready", info(VARIABLE)],
  ["export", info(VARIABLE)],
  ["export_enum", info(VARIABLE, 1, 0, true)],
  ["export_file", info(VARIABLE, 1, 1, true)],
  ["export_file_path", info(VARIABLE, 1, 1, true)],
  ["export_dir", info(VARIABLE)],
  ["export_global_file", info(VARIABLE, 1, 1, true)],
  ["export_global_dir", info(VARIABLE)],
  ["export_multiline", info(VARIABLE, 1, 1, true)],
  ["export_placeholder", info(VARIABLE, 1)],
  ["export_range", info(VARIABLE, 4, 2, true)],
  ["export_exp_easing", info(VARIABLE, 1, 1, true)],
  ["export_color_no_alpha", info(VARIABLE)],
  ["export_node_path", info(VARIABLE, 1, 1, true)],
  ["export_flags", info(VARIABLE, 1, 0, true)],
  ["export_flags_2d_render", info(VARIABLE)],
  ["export_flags_2d_physics", info(VARIABLE)],
  ["export_flags_2d_navigation", info(VARIABLE)],
  ["export_flags_3d_render", info(VARIABLE)],
  ["export_flags_3d_physics", info(VARIABLE)],
  ["export_flags_3d_navigation", info(VARIABLE)],
  ["export_flags_avoidance", info(VARIABLE)],
  ["export_storage", info(VARIABLE)],
  ["export_readonly", info(VARIABLE)],
  ["export_custom", info(VARIABLE, 3, 1)],
  ["export_tool_button", info(VARIABLE, 2, 1)],
  ["export_category", info(STANDALONE, 1)],
  ["export_group", info(STANDALONE, 2, 1)],
  ["export_subgroup", info(STANDALONE, 2, 1)],
  ["warning_ignore", info(CLASS_LEVEL | STATEMENT, 1, 0, true)],
  ["warning_ignore_start", info(STANDALONE, 1, 0, true)],
  ["warning_ignore_restore", info(STANDALONE, 1, 0, true)],
  ["rpc", info(FUNCTION, 4, 4)],
]);
