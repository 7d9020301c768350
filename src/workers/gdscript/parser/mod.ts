/**
 * A GDScript 4 lexer and parser in pure TypeScript: synchronous, dependency-free and safe to run
 * in a Web Worker with no permissions. It follows Godot's own tokenizer and parser
 * (modules/gdscript/gdscript_tokenizer.cpp, gdscript_parser.cpp) and gives an AST with a line,
 * column and source span on every node (see `ast.ts`).
 *
 * @module
 */

export type * from "./ast.ts";
