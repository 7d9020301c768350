/**
 * Validation of user-submitted Godot 4 GDScript spell scripts, from a real tokenize-and-outline
 * parse (comments and strings never count as code). Pure TypeScript: safe in a Web Worker and
 * in a `deno bundle` output.
 *
 * @example
 * ```ts
 * import { validateSpellScript } from "./mod.ts";
 * const report = validateSpellScript("extends SpellModule\n");
 * // { ok: false, line: 1, message: "missing func on_cast(ctx: SpellContext) -> void" }
 * ```
 *
 * @module
 */

export { type SpellScriptReport, validateSpellScript } from "./validate_spell_script.ts";
