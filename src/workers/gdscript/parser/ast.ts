/**
 * The GDScript 4 abstract syntax tree produced by {@linkcode parseGdscript}.
 *
 * Every node is a plain object with a `kind` discriminant and a {@linkcode Span}: 1-based `line`
 * and `col` of its first character and the `[start, end)` offsets of its source text. Offsets and
 * columns count UTF-16 code units (JavaScript string indices), so `source.slice(node.start,
 * node.end)` is the node's text; a tab counts as one column.
 *
 * The tree keeps what a security verifier needs and nothing is normalised away: identifiers are
 * exactly as written (no Unicode normalisation; {@linkcode Identifier.nonAscii} flags the ones
 * with non-ASCII characters), string literals carry their kind (`"…"`, `&"…"`, `^"…"`) and whether
 * they were raw, `$`/`%` node paths have their own node kind, and annotations keep their
 * arguments. Nothing here decides what is allowed; that is the verifier's job.
 *
 * Shapes follow Godot's own parser (modules/gdscript/gdscript_parser.h) where that is simpler for
 * a verifier, and differ where a flatter shape is clearer (`elif` branches, `not in`, `is not`).
 *
 * @module
 */

/** Where a node is in the source: 1-based line and column of its start, `[start, end)` offsets. */
export interface Span {
  /** 1-based line of the node's first character. */
  readonly line: number;
  /** 1-based column (UTF-16 code units; a tab is one column) of the node's first character. */
  readonly col: number;
  /** Offset of the node's first character in the source. */
  readonly start: number;
  /** Offset just past the node's last character in the source. */
  readonly end: number;
}

// ---------------------------------------------------------------------------------------------
// Script and class members

/** A whole `.gd` file: the implicit top-level class. */
export interface Script extends Span {
  readonly kind: "script";
  /** Script-level annotations (`@tool`, `@icon(…)`, `@static_unload`, `@abstract`) in order. */
  readonly annotations: Annotation[];
  /** The `class_name` declaration, if any. */
  readonly className: ClassName | null;
  /** The `extends` clause, if any. */
  readonly extends: Extends | null;
  /** Class members in source order. */
  readonly body: ClassMember[];
}

/** Anything that can appear in a class body (top-level script or inner `class`). */
export type ClassMember =
  | VarDecl
  | ConstDecl
  | FuncDecl
  | SignalDecl
  | EnumDecl
  | ClassDecl
  | Annotation;

/** `class_name Name` (only at the top of a script). */
export interface ClassName extends Span {
  readonly kind: "class_name";
  /** The global class name. */
  readonly name: Identifier;
}

/**
 * `extends Base`, `extends Base.Inner`, `extends "res://path.gd"` or `extends "res://path.gd".Inner`.
 * `path` is the string form, `chain` the dotted identifiers (empty when only a path is given).
 */
export interface Extends extends Span {
  readonly kind: "extends";
  /** The script path string when the base is given as a string, else null. */
  readonly path: StringLiteral | null;
  /** Dotted base class names, e.g. `[Node3D]` or `[SpellModule, Inner]`. */
  readonly chain: Identifier[];
}

/**
 * An annotation: `@name` or `@name(arg, …)`. As a {@linkcode ClassMember} or {@linkcode Statement}
 * it is a standalone one (`@export_group(…)`, `@export_category(…)`, `@export_subgroup(…)`,
 * `@warning_ignore_start(…)`, `@warning_ignore_restore(…)`); annotations that apply to a
 * declaration or statement sit in that node's `annotations` instead.
 */
export interface Annotation extends Span {
  readonly kind: "annotation";
  /** Name without the `@`, exactly as written, e.g. `export_range`, `onready`, `tool`. */
  readonly name: string;
  /** Arguments in order; empty when written without parentheses. */
  readonly args: Expression[];
}

/** `var name[: Type | :=][ = value][: property accessors]`, as a member or a local variable. */
export interface VarDecl extends Span {
  readonly kind: "var";
  /** The variable name. */
  readonly name: Identifier;
  /** The declared type, or null when untyped or inferred. */
  readonly type: TypeRef | null;
  /** True for `:=` (type inferred from the initializer). */
  readonly inferred: boolean;
  /** The initializer, or null. */
  readonly value: Expression | null;
  /** True for `static var` (class members only). */
  readonly isStatic: boolean;
  /** Annotations applied to this declaration (`@export…`, `@onready`, `@warning_ignore`…). */
  readonly annotations: Annotation[];
  /** `set`/`get` accessors (class members only), or null. */
  readonly property: Property | null;
}

/**
 * Property accessors of a member variable: inline blocks (`set(value): …`, `get: …`) or named
 * functions (`set = _set_x, get = _get_x`).
 */
export interface Property extends Span {
  readonly kind: "property";
  /** `inline` for `set(v): …`/`get: …` blocks, `named` for `set = f, get = g`. */
  readonly style: "inline" | "named";
  /** The inline getter block, or null. */
  readonly getter: Getter | null;
  /** The inline setter block, or null. */
  readonly setter: Setter | null;
  /** The function named by `get = f`, or null. */
  readonly getterName: Identifier | null;
  /** The function named by `set = f`, or null. */
  readonly setterName: Identifier | null;
}

/** An inline getter: `get: <block>` or `get(): <block>`. */
export interface Getter extends Span {
  readonly kind: "getter";
  /** The getter's statements. */
  readonly body: Statement[];
}

/** An inline setter: `set(param): <block>`. */
export interface Setter extends Span {
  readonly kind: "setter";
  /** The parameter that receives the assigned value. */
  readonly param: Identifier;
  /** The setter's statements. */
  readonly body: Statement[];
}

/** `const NAME[: Type | :=] = value`, as a member or a local constant. */
export interface ConstDecl extends Span {
  readonly kind: "const";
  /** The constant name. */
  readonly name: Identifier;
  /** The declared type, or null when untyped or inferred. */
  readonly type: TypeRef | null;
  /** True for `:=`. */
  readonly inferred: boolean;
  /** The value (always present in valid code). */
  readonly value: Expression;
  /** Annotations applied to this declaration. */
  readonly annotations: Annotation[];
}

/** `[static] func name(params)[ -> Type]: <block>`; `body` is null only for bodyless `@abstract` functions. */
export interface FuncDecl extends Span {
  readonly kind: "func";
  /** The function name. */
  readonly name: Identifier;
  /** Ordinary parameters in order. */
  readonly params: Param[];
  /** The variadic `...rest` parameter (Godot 4.5+), or null. */
  readonly restParam: Param | null;
  /** The declared return type (`void` is a {@linkcode TypeRef} with `isVoid`), or null. */
  readonly returnType: TypeRef | null;
  /** The statements of the body; null for a bodyless (abstract) declaration. */
  readonly body: Statement[] | null;
  /** True for `static func`. */
  readonly isStatic: boolean;
  /** Annotations applied to this function (`@rpc`, `@abstract`, `@warning_ignore`…). */
  readonly annotations: Annotation[];
}

/** A function, lambda or signal parameter: `name[: Type | :=][ = default]`. */
export interface Param extends Span {
  readonly kind: "param";
  /** The parameter name. */
  readonly name: Identifier;
  /** The declared type, or null. */
  readonly type: TypeRef | null;
  /** True for `name := default`. */
  readonly inferred: boolean;
  /** The default value, or null. */
  readonly default: Expression | null;
}

/** `signal name[(params)]`. */
export interface SignalDecl extends Span {
  readonly kind: "signal";
  /** The signal name. */
  readonly name: Identifier;
  /** Parameters (never with defaults); empty when written without parentheses. */
  readonly params: Param[];
  /** Annotations applied to this signal. */
  readonly annotations: Annotation[];
}

/** `enum [Name] { A, B = expr, … }`; an anonymous enum adds its values to the class. */
export interface EnumDecl extends Span {
  readonly kind: "enum";
  /** The enum name, or null for an anonymous enum. */
  readonly name: Identifier | null;
  /** The values in order. */
  readonly values: EnumValue[];
  /** Annotations applied to this enum. */
  readonly annotations: Annotation[];
}

/** One enum value: `NAME` or `NAME = expr`. */
export interface EnumValue extends Span {
  readonly kind: "enum_value";
  /** The value's name. */
  readonly name: Identifier;
  /** The explicit value, or null. */
  readonly value: Expression | null;
}

/** An inner class: `class Name [extends Base]: <members>`. */
export interface ClassDecl extends Span {
  readonly kind: "class";
  /** The inner class name. */
  readonly name: Identifier;
  /** The `extends` clause, or null (then it extends RefCounted). */
  readonly extends: Extends | null;
  /** Members in source order. */
  readonly body: ClassMember[];
  /** Annotations applied to this class (`@abstract`…). */
  readonly annotations: Annotation[];
}

// ---------------------------------------------------------------------------------------------
// Statements

/** Anything that can appear in a function, lambda, accessor or branch body. */
export type Statement =
  | VarDecl
  | ConstDecl
  | ExpressionStatement
  | IfStatement
  | WhileStatement
  | ForStatement
  | MatchStatement
  | ReturnStatement
  | AssertStatement
  | PassStatement
  | BreakStatement
  | ContinueStatement
  | BreakpointStatement
  | Annotation;

/** An expression used as a statement (calls, assignments, `await`, string "comments"…). */
export interface ExpressionStatement extends Span {
  readonly kind: "expression_statement";
  /** The expression. */
  readonly expression: Expression;
  /** Statement annotations (`@warning_ignore(…)`). */
  readonly annotations: Annotation[];
}

/** `if cond: … elif cond: … else: …`. */
export interface IfStatement extends Span {
  readonly kind: "if";
  /** The `if` condition. */
  readonly condition: Expression;
  /** The `if` block. */
  readonly body: Statement[];
  /** The `elif` branches in order. */
  readonly elifs: ElifBranch[];
  /** The `else` block, or null. */
  readonly elseBody: Statement[] | null;
  /** Statement annotations. */
  readonly annotations: Annotation[];
}

/** One `elif cond: …` branch of an {@linkcode IfStatement}. */
export interface ElifBranch extends Span {
  readonly kind: "elif";
  /** The branch condition. */
  readonly condition: Expression;
  /** The branch block. */
  readonly body: Statement[];
}

/** `while cond: …`. */
export interface WhileStatement extends Span {
  readonly kind: "while";
  /** The loop condition. */
  readonly condition: Expression;
  /** The loop body. */
  readonly body: Statement[];
  /** Statement annotations. */
  readonly annotations: Annotation[];
}

/** `for name[: Type] in iterable: …`. */
export interface ForStatement extends Span {
  readonly kind: "for";
  /** The loop variable. */
  readonly variable: Identifier;
  /** The loop variable's declared type, or null. */
  readonly variableType: TypeRef | null;
  /** The expression iterated over. */
  readonly iterable: Expression;
  /** The loop body. */
  readonly body: Statement[];
  /** Statement annotations. */
  readonly annotations: Annotation[];
}

/** `match subject:` with its branches. */
export interface MatchStatement extends Span {
  readonly kind: "match";
  /** The value being matched. */
  readonly subject: Expression;
  /** The branches in order. */
  readonly branches: MatchBranch[];
  /** Statement annotations. */
  readonly annotations: Annotation[];
}

/** One branch: `pattern[, pattern…] [when guard]: <block>`. */
export interface MatchBranch extends Span {
  readonly kind: "match_branch";
  /** The alternative patterns (at least one). */
  readonly patterns: Pattern[];
  /** The `when` guard, or null. */
  readonly guard: Expression | null;
  /** The branch block. */
  readonly body: Statement[];
  /** Branch annotations (only `@warning_ignore` is valid here). */
  readonly annotations: Annotation[];
}

/** A `match` pattern. */
export type Pattern =
  | LiteralPattern
  | ExpressionPattern
  | BindPattern
  | WildcardPattern
  | RestPattern
  | ArrayPattern
  | DictionaryPattern;

/** A literal pattern: a number, string, `true`/`false` or `null`. */
export interface LiteralPattern extends Span {
  readonly kind: "pattern_literal";
  /** The literal. */
  readonly literal: Literal;
}

/** Any other expression used as a pattern (a constant, `-x`, `A.B`, a call…). */
export interface ExpressionPattern extends Span {
  readonly kind: "pattern_expression";
  /** The expression. */
  readonly expression: Expression;
}

/** `var name`: matches anything and binds it. */
export interface BindPattern extends Span {
  readonly kind: "pattern_bind";
  /** The bound variable. */
  readonly name: Identifier;
}

/** `_`: matches anything. */
export interface WildcardPattern extends Span {
  readonly kind: "pattern_wildcard";
}

/** `..` as the last element of an array or dictionary pattern. */
export interface RestPattern extends Span {
  readonly kind: "pattern_rest";
}

/** `[p1, p2, ..]`. */
export interface ArrayPattern extends Span {
  readonly kind: "pattern_array";
  /** Element patterns; a {@linkcode RestPattern} can only be last. */
  readonly elements: Pattern[];
}

/** `{key: pattern, key, ..}`. */
export interface DictionaryPattern extends Span {
  readonly kind: "pattern_dictionary";
  /** Entries in order. */
  readonly entries: DictionaryPatternEntry[];
}

/** One entry of a {@linkcode DictionaryPattern}: `key`, `key: pattern`, or the rest `..` (null key). */
export interface DictionaryPatternEntry extends Span {
  readonly kind: "pattern_dictionary_entry";
  /** The key expression; null for the rest entry `..`. */
  readonly key: Expression | null;
  /** The value pattern; null when only the key is tested; a {@linkcode RestPattern} for `..`. */
  readonly value: Pattern | null;
}

/** `return [value]`. */
export interface ReturnStatement extends Span {
  readonly kind: "return";
  /** The returned value, or null. */
  readonly value: Expression | null;
  /** Statement annotations. */
  readonly annotations: Annotation[];
}

/** `assert(condition[, message])`. */
export interface AssertStatement extends Span {
  readonly kind: "assert";
  /** The asserted condition. */
  readonly condition: Expression;
  /** The message, or null. */
  readonly message: Expression | null;
  /** Statement annotations. */
  readonly annotations: Annotation[];
}

/** `pass`. */
export interface PassStatement extends Span {
  readonly kind: "pass";
  /** Statement annotations. */
  readonly annotations: Annotation[];
}

/** `break`. */
export interface BreakStatement extends Span {
  readonly kind: "break";
  /** Statement annotations. */
  readonly annotations: Annotation[];
}

/** `continue`. */
export interface ContinueStatement extends Span {
  readonly kind: "continue";
  /** Statement annotations. */
  readonly annotations: Annotation[];
}

/** `breakpoint`. */
export interface BreakpointStatement extends Span {
  readonly kind: "breakpoint";
  /** Statement annotations. */
  readonly annotations: Annotation[];
}

// ---------------------------------------------------------------------------------------------
// Expressions

/** Any expression. */
export type Expression =
  | Identifier
  | Literal
  | SelfExpression
  | SuperExpression
  | UnaryExpression
  | BinaryExpression
  | TypeTestExpression
  | CastExpression
  | TernaryExpression
  | AssignmentExpression
  | AwaitExpression
  | CallExpression
  | SubscriptExpression
  | AttributeExpression
  | ArrayExpression
  | DictionaryExpression
  | LambdaExpression
  | GetNodeExpression
  | PreloadExpression;

/**
 * A name, exactly as written. Used for references (`foo`), declared names, attribute names and
 * type names. `PI`, `TAU`, `INF` and `NAN` are identifiers too (as in Godot 4).
 */
export interface Identifier extends Span {
  readonly kind: "identifier";
  /** The name as written in the source, never normalised. */
  readonly name: string;
  /** True if the name has any non-ASCII character (Godot accepts Unicode identifiers). */
  readonly nonAscii: boolean;
}

/** A literal value. */
export type Literal = NumberLiteral | StringLiteral | BoolLiteral | NullLiteral;

/** An integer or float literal (decimal, `0x…`, `0b…`, `_` separators, exponents, `.5`, `1.`). */
export interface NumberLiteral extends Span {
  readonly kind: "number";
  /** The value (integers beyond 2^53 lose precision; see `raw`). */
  readonly value: number;
  /** True for an integer literal (no `.` or exponent; hex and binary are integers). */
  readonly isInt: boolean;
  /** The literal's source text, including a sign that the tokenizer folded in (`-1` in `[-1]`). */
  readonly raw: string;
}

/** A string literal of any form; `value` has escapes processed. */
export interface StringLiteral extends Span {
  readonly kind: "string";
  /** The decoded value. */
  readonly value: string;
  /** `string` for `"…"`, `string_name` for `&"…"`, `node_path` for `^"…"`. */
  readonly stringKind: "string" | "string_name" | "node_path";
  /** True for raw strings `r"…"` (no escape processing). */
  readonly raw: boolean;
  /** True for triple-quoted strings. */
  readonly triple: boolean;
}

/** `true` or `false`. */
export interface BoolLiteral extends Span {
  readonly kind: "bool";
  /** The value. */
  readonly value: boolean;
}

/** `null`. */
export interface NullLiteral extends Span {
  readonly kind: "null";
}

/** `self`. */
export interface SelfExpression extends Span {
  readonly kind: "self";
}

/**
 * `super` as the callee of a {@linkcode CallExpression}: `super(…)` (method null: the parent's
 * method of the same name) or `super.method(…)`. It appears nowhere else.
 */
export interface SuperExpression extends Span {
  readonly kind: "super";
  /** The parent method called, or null for `super(…)`. */
  readonly method: Identifier | null;
}

/** A prefix operator: `-x`, `+x`, `~x`, `not x` / `!x` (both give `not`). */
export interface UnaryExpression extends Span {
  readonly kind: "unary";
  /** The operator. */
  readonly op: UnaryOperator;
  /** The operand. */
  readonly operand: Expression;
}

/** Prefix operators; `!` is reported as `not`. */
export type UnaryOperator = "-" | "+" | "~" | "not";

/** An infix operator. `&&`/`||` are reported as `and`/`or`; `a not in b` has op `not in`. */
export interface BinaryExpression extends Span {
  readonly kind: "binary";
  /** The operator. */
  readonly op: BinaryOperator;
  /** The left operand. */
  readonly left: Expression;
  /** The right operand. */
  readonly right: Expression;
}

/** Infix operators (normalised: `&&` → `and`, `||` → `or`). */
export type BinaryOperator =
  | "+"
  | "-"
  | "*"
  | "/"
  | "%"
  | "**"
  | "<<"
  | ">>"
  | "&"
  | "|"
  | "^"
  | "=="
  | "!="
  | "<"
  | "<="
  | ">"
  | ">="
  | "and"
  | "or"
  | "in"
  | "not in";

/** `x is Type` or `x is not Type`. */
export interface TypeTestExpression extends Span {
  readonly kind: "type_test";
  /** The value tested. */
  readonly operand: Expression;
  /** The type tested against. */
  readonly type: TypeRef;
  /** True for `is not`. */
  readonly negated: boolean;
}

/** `x as Type`. */
export interface CastExpression extends Span {
  readonly kind: "cast";
  /** The value cast. */
  readonly operand: Expression;
  /** The target type. */
  readonly type: TypeRef;
}

/** `whenTrue if condition else whenFalse`. */
export interface TernaryExpression extends Span {
  readonly kind: "ternary";
  /** The condition. */
  readonly condition: Expression;
  /** The value when the condition holds (written first). */
  readonly whenTrue: Expression;
  /** The value otherwise. */
  readonly whenFalse: Expression;
}

/** `target op value`; only at statement level (Godot refuses assignment inside expressions). */
export interface AssignmentExpression extends Span {
  readonly kind: "assignment";
  /** The operator. */
  readonly op: AssignmentOperator;
  /** An {@linkcode Identifier}, {@linkcode AttributeExpression} or {@linkcode SubscriptExpression}. */
  readonly target: Expression;
  /** The assigned value. */
  readonly value: Expression;
}

/** Assignment operators. */
export type AssignmentOperator =
  | "="
  | "+="
  | "-="
  | "*="
  | "/="
  | "%="
  | "**="
  | "&="
  | "|="
  | "^="
  | "<<="
  | ">>=";

/** `await x`. */
export interface AwaitExpression extends Span {
  readonly kind: "await";
  /** The awaited signal or coroutine call. */
  readonly operand: Expression;
}

/**
 * A call. `callee` is an {@linkcode Identifier} (`foo(…)`), an {@linkcode AttributeExpression}
 * (`a.b(…)`) or a {@linkcode SuperExpression} (`super(…)`, `super.m(…)`).
 */
export interface CallExpression extends Span {
  readonly kind: "call";
  /** What is called. */
  readonly callee: Expression;
  /** The arguments in order. */
  readonly args: Expression[];
}

/** `base[index]`. */
export interface SubscriptExpression extends Span {
  readonly kind: "subscript";
  /** The subscripted value. */
  readonly base: Expression;
  /** The index or key. */
  readonly index: Expression;
}

/** `base.member`; `member` may be a keyword used as a name (`x.class`, `x.match`). */
export interface AttributeExpression extends Span {
  readonly kind: "attribute";
  /** The value whose member is read. */
  readonly base: Expression;
  /** The member name. */
  readonly member: Identifier;
}

/** `[a, b, …]`. */
export interface ArrayExpression extends Span {
  readonly kind: "array";
  /** The elements in order. */
  readonly elements: Expression[];
}

/** `{k: v, …}` (`python` style) or `{name = v, …}` (`lua` style). */
export interface DictionaryExpression extends Span {
  readonly kind: "dictionary";
  /** Which syntax the literal uses (Godot refuses mixing them). */
  readonly style: "python" | "lua";
  /** The entries in order. */
  readonly entries: DictionaryEntry[];
}

/**
 * One `key: value` or `key = value` entry. In `lua` style the key is a {@linkcode StringLiteral}:
 * a bare name there (`{a = 1}`) is a literal key, not a variable read, so it is given as a
 * `string_name` literal whose span is the name's.
 */
export interface DictionaryEntry extends Span {
  readonly kind: "dictionary_entry";
  /** The key expression. */
  readonly key: Expression;
  /** The value expression. */
  readonly value: Expression;
}

/** `func [name](params)[ -> Type]: <block or single statement>`. */
export interface LambdaExpression extends Span {
  readonly kind: "lambda";
  /** The lambda's own name (`func name(): …`), or null. */
  readonly name: Identifier | null;
  /** Ordinary parameters in order. */
  readonly params: Param[];
  /** The variadic `...rest` parameter, or null. */
  readonly restParam: Param | null;
  /** The declared return type, or null. */
  readonly returnType: TypeRef | null;
  /** The body's statements. */
  readonly body: Statement[];
}

/**
 * A node-path shorthand: `$Path/To`, `$"quoted/path"`, `$%Unique`, `%Unique`, `%"quoted"`.
 * `path` is the path as Godot builds it (`%` and `/` included, quotes removed), e.g. `/root`,
 * `Sprite/Child`, `%Label`.
 */
export interface GetNodeExpression extends Span {
  readonly kind: "get_node";
  /** `$` when written with a dollar sign, `%` for the bare unique-name form `%Name`. */
  readonly shorthand: "$" | "%";
  /** The node path. */
  readonly path: string;
}

/** `preload(path)`. */
export interface PreloadExpression extends Span {
  readonly kind: "preload";
  /** The path expression (a constant string in valid code). */
  readonly path: Expression;
}

/**
 * A type specifier: `int`, `Node3D`, `Outer.Inner`, `Array[int]`, `Dictionary[String, int]`, or
 * `void` (return types only).
 */
export interface TypeRef extends Span {
  readonly kind: "type";
  /** Dotted names, e.g. `[Array]` or `[Outer, Inner]`; empty for `void`. */
  readonly chain: Identifier[];
  /** Element types of a typed collection (`Array[T]`: one, `Dictionary[K, V]`: two). */
  readonly elementTypes: TypeRef[];
  /** True for `void`. */
  readonly isVoid: boolean;
}

// ---------------------------------------------------------------------------------------------
// Results

/** A syntax error at a 1-based line and column. */
export interface ParseError {
  /** 1-based line. */
  readonly line: number;
  /** 1-based column (UTF-16 code units). */
  readonly col: number;
  /** What is wrong, as a sentence (Godot's wording where it has one). */
  readonly message: string;
}

/** Result of {@linkcode parseGdscript}: the tree, or the first few syntax errors in source order. */
export type ParseResult =
  | { readonly ok: true; readonly script: Script }
  | { readonly ok: false; readonly errors: ParseError[] };

/** Any node of the tree. */
export type Node =
  | Script
  | ClassMember
  | ClassName
  | Extends
  | Property
  | Getter
  | Setter
  | Param
  | EnumValue
  | Statement
  | ElifBranch
  | MatchBranch
  | Pattern
  | DictionaryPatternEntry
  | Expression
  | DictionaryEntry
  | TypeRef;

/** The `kind` of every node. */
export type NodeKind = Node["kind"];
