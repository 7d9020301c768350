/**
 * A GDScript 4 lexer and parser in pure TypeScript: synchronous, dependency-free and safe to run
 * in a Web Worker with no permissions. It follows Godot 4.6's own tokenizer and parser
 * (modules/gdscript/gdscript_tokenizer.cpp, gdscript_parser.cpp) and gives an AST with a line,
 * column and source span on every node (see `ast.ts`). It never throws: bad or hostile input gives
 * `{ ok: false, errors }`, nesting is bounded by {@linkcode MAX_NESTING_DEPTH}.
 *
 * @example
 * ```ts
 * import { parseGdscript } from "./mod.ts";
 * const result = parseGdscript("extends SpellModule\nfunc on_cast(ctx):\n\tpass\n");
 * if (!result.ok) for (const e of result.errors) console.log(`${e.line}:${e.col}: ${e.message}`);
 * ```
 *
 * @module
 */

export type * from "./ast.ts";
export { MAX_ERRORS, MAX_NESTING_DEPTH, parseGdscript, type ParseOptions } from "./parser.ts";
export { walk } from "./walk.ts";
