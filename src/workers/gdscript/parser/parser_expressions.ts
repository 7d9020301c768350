/**
 * Expressions and type specifiers: Godot's Pratt parser (`parse_precedence` and the `get_rule`
 * table in gdscript_parser.cpp) with the same precedences, the same special cases (assignment
 * only at statement level, `not in`, `is not`, `super`, `$`/`%` node paths, lambdas inside
 * brackets) and the same error messages.
 *
 * @module
 */

import type * as A from "./ast.ts";
import type { Token, TokenType } from "./lexer.ts";
import { ParserBase, Prec, type Scope, type Start, tokenName } from "./parser_base.ts";

/** What a function or lambda signature gave. */
export interface Signature {
  readonly params: A.Param[];
  readonly restParam: A.Param | null;
  readonly returnType: A.TypeRef | null;
  /** False when the `:` before the body is missing (bodyless `@abstract` declarations). */
  readonly hasColon: boolean;
}

type InfixOperator = Exclude<A.BinaryOperator, "not in">;

const BINARY_OPERATORS: Partial<Record<TokenType, InfixOperator>> = {
  "+": "+",
  "-": "-",
  "*": "*",
  "/": "/",
  "%": "%",
  "**": "**",
  "<<": "<<",
  ">>": ">>",
  "&": "&",
  "|": "|",
  "^": "^",
  "==": "==",
  "!=": "!=",
  "<": "<",
  "<=": "<=",
  ">": ">",
  ">=": ">=",
  and: "and",
  "&&": "and",
  or: "or",
  "||": "or",
  in: "in",
};

const ASSIGNMENT_OPERATORS: ReadonlySet<TokenType> = new Set<TokenType>([
  "=",
  "+=",
  "-=",
  "*=",
  "**=",
  "/=",
  "%=",
  "<<=",
  ">>=",
  "&=",
  "|=",
  "^=",
]);

/** Infix precedence of a token type (Godot's rule table); 0 when it is not an infix operator. */
function infixPrecedence(type: TokenType): number {
  switch (type) {
    case "<":
    case "<=":
    case ">":
    case ">=":
    case "==":
    case "!=":
      return Prec.COMPARISON;
    case "and":
    case "&&":
      return Prec.LOGIC_AND;
    case "or":
    case "||":
      return Prec.LOGIC_OR;
    case "not":
    case "in":
      return Prec.CONTENT_TEST;
    case "&":
      return Prec.BIT_AND;
    case "|":
      return Prec.BIT_OR;
    case "^":
      return Prec.BIT_XOR;
    case "<<":
    case ">>":
      return Prec.BIT_SHIFT;
    case "+":
    case "-":
      return Prec.ADDITION_SUBTRACTION;
    case "*":
    case "/":
    case "%":
      return Prec.FACTOR;
    case "**":
      return Prec.POWER;
    case "if":
      return Prec.TERNARY;
    case "as":
    case "?":
      return Prec.CAST;
    case "is":
      return Prec.TYPE_TEST;
    case "[":
      return Prec.SUBSCRIPT;
    case "(":
      return Prec.CALL;
    case ".":
      return Prec.ATTRIBUTE;
    default:
      return ASSIGNMENT_OPERATORS.has(type) ? Prec.ASSIGNMENT : Prec.NONE;
  }
}

const PREFIX_TYPES: ReadonlySet<TokenType> = new Set<TokenType>([
  "identifier",
  "literal",
  "not",
  "!",
  "~",
  "+",
  "-",
  "%",
  "$",
  "await",
  "func",
  "preload",
  "self",
  "super",
  "yield",
  "[",
  "{",
  "(",
]);

/** Expression and type parsing; statements come from the subclass. */
export abstract class ExpressionParser extends ParserBase {
  /** Parses an indented (or same-line) block into a new scope, or into `scope` if given. */
  protected abstract parseSuite(context: string, scope?: Scope, forLambda?: boolean): A.Statement[];

  /** Parses parameters after `(` up to and including the `:` before the body. */
  protected abstract parseSignature(kind: "function" | "lambda", name: string | null): Signature;

  /** An expression, or null (nothing consumed) when none starts here. */
  protected parseExpression(canAssign: boolean, stopOnAssign = false): A.Expression | null {
    return this.parsePrecedence(Prec.ASSIGNMENT, canAssign, stopOnAssign);
  }

  protected parsePrecedence(
    precedence: number,
    canAssign: boolean,
    stopOnAssign = false,
  ): A.Expression | null {
    this.enter();
    this.tick();
    const first = this.current;
    if (first.type === "(" || first.type === "{" || first.type === "[") this.pushMultiline(true);
    const type: TokenType = first.isIdentifier() ? "identifier" : first.type;
    if (!PREFIX_TYPES.has(type)) {
      this.leave();
      return null;
    }
    this.advance();
    let left = this.#prefix(type, first, canAssign);
    while (precedence <= infixPrecedence(this.current.type)) {
      if (left === null || (stopOnAssign && this.current.type === "=") || this.lambdaEnded) break;
      if (this.current.type === "(" || this.current.type === "[") this.pushMultiline(true);
      const operator = this.advance();
      left = this.#infix(operator, left, canAssign);
    }
    this.leave();
    return left;
  }

  #prefix(type: TokenType, token: Token, canAssign: boolean): A.Expression | null {
    switch (type) {
      case "identifier":
        return this.identifier(token);
      case "literal":
        return this.literal(token);
      case "-":
      case "+":
        return this.#unary(token, type as "-" | "+", Prec.SIGN);
      case "~":
        return this.#unary(token, "~", Prec.BIT_NOT);
      case "not":
      case "!":
        return this.#unary(token, "not", Prec.LOGIC_NOT);
      case "%":
      case "$":
        return this.#getNode(token);
      case "await":
        return this.#await(token);
      case "func":
        return this.#lambda(token);
      case "preload":
        return this.#preload(token);
      case "self":
        if (this.fn?.isStatic) this.error('Cannot use "self" inside a static function.', token);
        return { kind: "self", ...this.spanFrom(token) };
      case "super":
        return this.#superCall(token);
      case "yield":
        this.error('"yield" was removed in Godot 4. Use "await" instead.', token);
        return null;
      case "[":
        return this.#array(token);
      case "{":
        return this.#dictionary(token);
      case "(":
        return this.#grouping();
      default:
        void canAssign;
        return null;
    }
  }

  #infix(operator: Token, left: A.Expression, canAssign: boolean): A.Expression | null {
    const type = operator.type;
    const binary = BINARY_OPERATORS[type];
    if (binary) return this.#binary(left, operator, binary);
    if (ASSIGNMENT_OPERATORS.has(type)) return this.#assignment(left, operator, canAssign);
    switch (type) {
      case "not":
        this.consume("in", 'Expected "in" after "not" in content-test operator.');
        return this.#binary(left, this.previous, "not in");
      case "if":
        return this.#ternary(left);
      case "as":
        return this.#cast(left);
      case "is":
        return this.#typeTest(left);
      case "[":
        return this.#subscript(left);
      case "(":
        return this.#call(left, left);
      case ".":
        return this.#attribute(left);
      case "?":
        this.error(
          'Unexpected "?" in source. If you want a ternary operator, use "truthy_value if true_condition else falsy_value".',
          operator,
        );
        return left;
      default:
        return left;
    }
  }

  // -- Leaves ------------------------------------------------------------------------------

  /** An identifier node from an identifier-like token (or a keyword used as a name). */
  protected identifier(token: Token): A.Identifier {
    return {
      kind: "identifier",
      name: String(token.value),
      nonAscii: token.type === "identifier" && token.flag,
      line: token.line,
      col: token.col,
      start: token.start,
      end: token.end,
    };
  }

  /** A literal node from a `literal` token. */
  protected literal(token: Token): A.Literal {
    const span = { line: token.line, col: token.col, start: token.start, end: token.end };
    switch (token.literalType) {
      case "int":
      case "float":
        return {
          kind: "number",
          value: token.value as number,
          isInt: token.literalType === "int",
          raw: this.source.slice(token.start, token.end),
          ...span,
        };
      case "bool":
        return { kind: "bool", value: token.value as boolean, ...span };
      case "null":
        return { kind: "null", ...span };
      default:
        return {
          kind: "string",
          value: token.value as string,
          stringKind: token.literalType ?? "string",
          raw: token.flag,
          triple: token.triple,
          ...span,
        };
    }
  }

  /** Stand-in for a missing sub-expression; only ever in trees that also carry an error. */
  protected missing(): A.Expression {
    const at = this.previous;
    return { kind: "null", line: at.line, col: at.col, start: at.end, end: at.end };
  }

  // -- Operators ---------------------------------------------------------------------------

  #unary(token: Token, op: A.UnaryOperator, precedence: number): A.Expression {
    const operand = this.parsePrecedence(precedence, false);
    if (operand === null) {
      this.error(`Expected expression after "${token.type === "!" ? "!" : op}" operator.`);
    }
    return { kind: "unary", op, operand: operand ?? this.missing(), ...this.spanFrom(token) };
  }

  #binary(left: A.Expression, operator: Token, op: A.BinaryOperator): A.Expression {
    const right = this.parsePrecedence(infixPrecedence(operator.type) + 1, false);
    if (right === null) this.error(`Expected expression after ${tokenName(operator)} operator.`);
    return { kind: "binary", op, left, right: right ?? this.missing(), ...this.spanFrom(left) };
  }

  #ternary(whenTrue: A.Expression): A.Expression {
    const condition = this.parsePrecedence(Prec.TERNARY, false);
    if (condition === null) this.error('Expected expression as ternary condition after "if".');
    this.consume("else", 'Expected "else" after ternary operator condition.');
    const whenFalse = this.parsePrecedence(Prec.TERNARY, false);
    if (whenFalse === null) this.error('Expected expression after "else".');
    return {
      kind: "ternary",
      condition: condition ?? this.missing(),
      whenTrue,
      whenFalse: whenFalse ?? this.missing(),
      ...this.spanFrom(whenTrue),
    };
  }

  #assignment(target: A.Expression, operator: Token, canAssign: boolean): A.Expression | null {
    if (!canAssign) {
      this.error("Assignment is not allowed inside an expression.", operator);
      return this.parseExpression(false);
    }
    if (
      target.kind !== "identifier" && target.kind !== "attribute" && target.kind !== "subscript"
    ) {
      this.error(
        "Only identifier, attribute access, and subscription access can be used as assignment target.",
        operator,
      );
      return this.parseExpression(false);
    }
    const value = this.parseExpression(false);
    if (value === null) this.error(`Expected an expression after "${operator.type}".`);
    return {
      kind: "assignment",
      op: operator.type as A.AssignmentOperator,
      target,
      value: value ?? this.missing(),
      ...this.spanFrom(target),
    };
  }

  #await(token: Token): A.Expression {
    const operand = this.parsePrecedence(Prec.AWAIT, false);
    if (operand === null) this.error('Expected signal or coroutine after "await".');
    return { kind: "await", operand: operand ?? this.missing(), ...this.spanFrom(token) };
  }

  #cast(operand: A.Expression): A.Expression {
    const type = this.parseType();
    if (type === null) {
      this.error('Expected type specifier after "as".');
      return operand;
    }
    return { kind: "cast", operand, type, ...this.spanFrom(operand) };
  }

  #typeTest(operand: A.Expression): A.Expression {
    const negated = this.match("not");
    const type = this.parseType();
    if (type === null) {
      this.error(`Expected type specifier after "is${negated ? " not" : ""}".`);
      return operand;
    }
    return { kind: "type_test", operand, type, negated, ...this.spanFrom(operand) };
  }

  // -- Postfix -----------------------------------------------------------------------------

  #subscript(base: A.Expression): A.Expression {
    const index = this.parseExpression(false);
    if (index === null) this.error('Expected expression after "[".');
    this.popMultiline();
    this.consume("]", 'Expected "]" after subscription index.');
    return { kind: "subscript", base, index: index ?? this.missing(), ...this.spanFrom(base) };
  }

  #attribute(base: A.Expression): A.Expression {
    if (!this.current.isNodeName()) {
      this.error('Expected identifier after "." for attribute access.');
      return base;
    }
    const member = this.identifier(this.advance());
    return { kind: "attribute", base, member, ...this.spanFrom(base) };
  }

  #call(callee: A.Expression, start: Start): A.Expression {
    if (callee.kind !== "identifier" && callee.kind !== "attribute" && callee.kind !== "super") {
      this.error('Cannot call on an expression. Use ".call()" if it\'s a Callable.', callee);
    }
    const args: A.Expression[] = [];
    do {
      if (this.check(")")) break; // Trailing comma.
      const arg = this.parseExpression(false);
      if (arg === null) this.error("Expected expression as the function argument.");
      else args.push(arg);
    } while (this.match(","));
    this.popMultiline();
    this.consume(")", 'Expected closing ")" after call arguments.');
    return { kind: "call", callee, args, ...this.spanFrom(start) };
  }

  #superCall(token: Token): A.Expression | null {
    this.pushMultiline(true);
    let method: A.Identifier | null = null;
    if (this.match("(")) {
      if (this.fn === null) {
        this.error('Cannot use implicit "super" call outside of a function.', token);
        this.popMultiline();
        return null;
      }
    } else {
      this.consume(".", 'Expected "." or "(" after "super".');
      if (!this.consume("identifier", 'Expected function name after ".".')) {
        this.popMultiline();
        return null;
      }
      method = this.identifier(this.previous);
      this.consume("(", 'Expected "(" after function name.');
    }
    const callee: A.SuperExpression = { kind: "super", method, ...this.spanFrom(token) };
    return this.#call(callee, token);
  }

  // -- Literals and groups -----------------------------------------------------------------

  #grouping(): A.Expression | null {
    const grouped = this.parseExpression(false);
    this.popMultiline();
    if (grouped === null) this.error("Expected grouping expression.");
    else this.consume(")", 'Expected closing ")" after grouping expression.');
    return grouped;
  }

  #array(token: Token): A.Expression {
    const elements: A.Expression[] = [];
    if (!this.check("]")) {
      do {
        if (this.check("]")) break; // Trailing comma.
        const element = this.parseExpression(false);
        if (element === null) this.error("Expected expression as array element.");
        else elements.push(element);
      } while (this.match(",") && !this.isAtEnd());
    }
    this.popMultiline();
    this.consume("]", 'Expected closing "]" after array elements.');
    return { kind: "array", elements, ...this.spanFrom(token) };
  }

  #dictionary(token: Token): A.Expression {
    const entries: A.DictionaryEntry[] = [];
    let style: "python" | "lua" | null = null;
    if (!this.check("}")) {
      do {
        if (this.check("}")) break; // Trailing comma.
        // Stop at "=" to tell a Lua-style table from a comparison.
        let key = this.parseExpression(false, true);
        if (key === null) this.error("Expected expression as dictionary key.");
        if (style === null) {
          if (this.check(":")) style = "python";
          else if (this.check("=")) style = "lua";
          else this.error('Expected ":" or "=" after dictionary key.');
        }
        if (style === "lua") {
          const keyOk = key === null || key.kind === "identifier" ||
            (key.kind === "string" && key.stringKind === "string");
          if (!keyOk) {
            this.error(
              'Expected identifier or string as Lua-style dictionary key (e.g "{ key = value }").',
            );
            this.advance();
          } else {
            if (!this.match("=")) {
              if (this.match(":")) {
                this.error(
                  'Expected "=" after dictionary key. Mixing dictionary styles is not allowed.',
                  this.previous,
                );
                this.advance();
              } else {
                this.error('Expected "=" after dictionary key.');
              }
            }
            // A bare name is a literal key, not a variable read.
            if (key?.kind === "identifier") key = luaKey(key);
          }
        } else if (style === "python" && !this.match(":")) {
          if (this.match("=")) {
            this.error(
              'Expected ":" after dictionary key. Mixing dictionary styles is not allowed.',
              this.previous,
            );
            this.advance();
          } else {
            this.error('Expected ":" after dictionary key.');
          }
        }
        const value = this.parseExpression(false);
        if (value === null) this.error("Expected expression as dictionary value.");
        if (key !== null && value !== null) {
          entries.push({ kind: "dictionary_entry", key, value, ...this.spanFrom(key) });
        }
      } while (this.match(",") && !this.isAtEnd());
    }
    this.popMultiline();
    this.consume("}", 'Expected closing "}" after dictionary elements.');
    return { kind: "dictionary", style: style ?? "python", entries, ...this.spanFrom(token) };
  }

  #preload(token: Token): A.Expression {
    this.pushMultiline(true);
    this.consume("(", 'Expected "(" after "preload".');
    const path = this.parseExpression(false);
    if (path === null) this.error('Expected resource path after "(".');
    this.match(","); // Trailing comma.
    this.popMultiline();
    this.consume(")", 'Expected ")" after preload path.');
    return { kind: "preload", path: path ?? this.missing(), ...this.spanFrom(token) };
  }

  /** `$path`, `$"path"`, `%Name`, `%"name"`, `$%Name/Child` (Godot's `parse_get_node`). */
  #getNode(token: Token): A.Expression | null {
    const prefix = token.type as "$" | "%";
    const startsPath = this.current.isNodeName() || this.check("/") || this.check("%") ||
      (this.check("literal") && this.current.literalType === "string");
    if (!startsPath) {
      this.error(`Expected node path as string or identifier after "${prefix}".`);
      return null;
    }
    let path = "";
    let state: "start" | "slash" | "percent" | "name" = "start";
    if (prefix === "$") this.match("/");
    do {
      if (this.previous.type === "%") {
        if (state !== "start" && state !== "slash") {
          this.error(
            '"%" is only valid in the beginning of a node name (either after "$" or after "/")',
          );
          return null;
        }
        path += "%";
        state = "percent";
      } else if (this.previous.type === "/") {
        if (state !== "start" && state !== "name") {
          this.error('"/" is only valid at the beginning of the path or after a node name.');
          return null;
        }
        path += "/";
        state = "slash";
      }
      if (this.match("literal")) {
        if (this.previous.literalType !== "string") {
          const after = state === "percent" ? "%" : state === "slash" ? "/" : "$";
          this.error(`Expected node path as string or identifier after "${after}".`);
          return null;
        }
        path += this.previous.value as string;
        state = "name";
      } else if (this.current.isNodeName()) {
        path += String(this.advance().value);
        state = "name";
      } else if (!this.check("/") && !this.check("%")) {
        this.error(`Unexpected ${tokenName(this.current)} in node path.`);
        return null;
      }
    } while (this.match("/") || this.match("%"));
    return { kind: "get_node", shorthand: prefix, path, ...this.spanFrom(token) };
  }

  // -- Lambdas -----------------------------------------------------------------------------

  /** `func [name](params)[ -> T]: body`, with Godot's handling of bodies inside brackets. */
  #lambda(token: Token): A.Expression {
    const name = this.match("identifier") ? this.identifier(this.previous) : null;
    const insideBrackets = this.multiline;
    // The body is indentation-sensitive even inside brackets.
    this.pushMultiline(false);
    if (insideBrackets) this.lexer.pushExpressionIndentedBlock();
    this.pushMultiline(true); // For the parameters.
    this.consume(
      "(",
      name ? 'Expected opening "(" after lambda name.' : 'Expected opening "(" after "func".',
    );

    const outerFn = this.fn, outerScope = this.scope;
    const outerInLambda = this.inLambda, outerBreak = this.canBreak;
    const outerContinue = this.canContinue;
    this.fn = { name: name?.name ?? null, isStatic: outerFn?.isStatic ?? false };
    const scope = this.pushScope();
    const signature = this.parseSignature("lambda", name?.name ?? null);
    this.scope = outerScope;
    this.inLambda = true;
    this.canBreak = false;
    this.canContinue = false;
    const body = this.parseSuite("lambda declaration", scope, true);
    const span = this.spanFrom(token);
    this.popMultiline();
    if (insideBrackets) {
      // Drop the layout tokens the body left behind before returning to bracket mode.
      while (this.check("dedent") || this.check("indent") || this.check("newline")) {
        this.skipCurrent();
      }
      this.lexer.popExpressionIndentedBlock();
    }
    this.fn = outerFn;
    this.inLambda = outerInLambda;
    this.canBreak = outerBreak;
    this.canContinue = outerContinue;
    return {
      kind: "lambda",
      name,
      params: signature.params,
      restParam: signature.restParam,
      returnType: signature.returnType,
      body,
      ...span,
    };
  }

  // -- Types -------------------------------------------------------------------------------

  /** `T`, `A.B`, `Array[T]`, `Dictionary[K, V]`, or `void` when allowed; null if none. */
  protected parseType(allowVoid = false): A.TypeRef | null {
    const start = this.current;
    if (!this.match("identifier")) {
      if (this.match("void")) {
        if (allowVoid) {
          return {
            kind: "type",
            chain: [],
            elementTypes: [],
            isVoid: true,
            ...this.spanFrom(start),
          };
        }
        this.error('"void" is only allowed for a function return type.');
      }
      return null;
    }
    this.enter();
    const chain = [this.identifier(this.previous)];
    const elementTypes: A.TypeRef[] = [];
    if (this.match("[")) {
      let first = true;
      let failed = false;
      do {
        const element = this.parseType(false);
        if (element === null) {
          this.error(`Expected type for collection after "${first ? "[" : ","}".`);
          failed = true;
          break;
        }
        if (element.elementTypes.length > 0) {
          this.error("Nested typed collections are not supported.");
        } else elementTypes.push(element);
        first = false;
      } while (this.match(","));
      this.consume("]", 'Expected closing "]" after collection type.');
      this.leave();
      if (failed) return null;
      return { kind: "type", chain, elementTypes, isVoid: false, ...this.spanFrom(start) };
    }
    while (this.match(".")) {
      if (this.consume("identifier", 'Expected inner type name after ".".')) {
        chain.push(this.identifier(this.previous));
      }
    }
    this.leave();
    return { kind: "type", chain, elementTypes, isVoid: false, ...this.spanFrom(start) };
  }
}

/** A Lua-style dictionary key written as a bare name, as the literal it is. */
function luaKey(key: A.Identifier): A.StringLiteral {
  return {
    kind: "string",
    value: key.name,
    stringKind: "string_name",
    raw: false,
    triple: false,
    line: key.line,
    col: key.col,
    start: key.start,
    end: key.end,
  };
}
