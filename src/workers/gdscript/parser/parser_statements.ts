/**
 * Statements inside function bodies, `match` patterns and function signatures, as Godot's
 * `parse_suite`, `parse_statement`, `parse_match_pattern` and `parse_function_signature` read
 * them, including the checks Godot makes while parsing (`break` outside a loop, locals declared
 * twice in a scope, binds in multi-pattern branches…).
 *
 * @module
 */

import { ANNOTATIONS, Target } from "./annotations.ts";
import type * as A from "./ast.ts";
import type { Token } from "./lexer.ts";
import { type LocalKind, type Scope, tokenName } from "./parser_base.ts";
import { ExpressionParser, type Signature } from "./parser_expressions.ts";

/** Statement parsing; class bodies and the program come from the subclass. */
export abstract class StatementParser extends ExpressionParser {
  /** Annotations read but not yet attached (Godot's `annotation_stack`). */
  protected pendingAnnotations: A.Annotation[] = [];

  /** Parses `@name[(args)]` after its token; null (with an error) when it is not valid here. */
  protected abstract parseAnnotation(validTargets: number): A.Annotation | null;

  /** Reports pending annotations that have nothing to apply to, and drops them. */
  protected clearUnusedAnnotations(): void {
    for (const annotation of this.pendingAnnotations) {
      this.error(
        `Annotation "@${annotation.name}" does not precede a valid target, so it will have no effect.`,
        annotation,
      );
    }
    this.pendingAnnotations = [];
  }

  /** True if the annotation may apply to any of the `targets` bits. */
  protected appliesTo(annotation: A.Annotation, targets: number): boolean {
    return ((ANNOTATIONS.get(annotation.name)?.targets ?? 0) & targets) !== 0;
  }

  // -- Blocks ------------------------------------------------------------------------------

  protected parseSuite(context: string, scope?: Scope, forLambda = false): A.Statement[] {
    this.enter();
    const outerScope = this.scope;
    this.scope = scope ?? { locals: new Map(), parent: outerScope };
    const statements: A.Statement[] = [];
    const multiline = this.match("newline");
    if (multiline && !this.consume("indent", `Expected indented block after ${context}.`)) {
      this.scope = outerScope;
      this.leave();
      return statements;
    }
    let errorCount = 0;
    do {
      if (this.isAtEnd() || (!multiline && this.previous.type === ";" && this.check("newline"))) {
        break;
      }
      const statement = this.parseStatement();
      if (statement === null) {
        if (errorCount++ > 100) {
          this.error("Too many statement errors.");
          break;
        }
        continue;
      }
      statements.push(statement);
      if (statement.kind === "var" || statement.kind === "const") this.#declareLocal(statement);
    } while (
      (multiline || this.previous.type === ";") && !this.check("dedent") && !this.lambdaEnded &&
      !this.isAtEnd()
    );
    if (multiline) {
      if (!this.lambdaEnded) this.consume("dedent", `Missing unindent at the end of ${context}.`);
      else this.match("dedent");
    } else if (this.previous.type === ";") {
      this.consume("newline", `Expected newline after ";" at the end of ${context}.`);
    }
    if (forLambda) this.lambdaEnded = true;
    this.scope = outerScope;
    this.leave();
    return statements;
  }

  #declareLocal(declaration: A.VarDecl | A.ConstDecl): void {
    const name = declaration.name.name;
    const existing = this.lookupLocal(name);
    if (existing) {
      const what = declaration.kind === "const"
        ? (existing === "constant" ? "constant" : "variable")
        : existing;
      this.error(
        `There is already a ${what} named "${name}" declared in this scope.`,
        declaration.name,
      );
    }
    this.scope?.locals.set(name, declaration.kind === "const" ? "constant" : "variable");
  }

  protected parseStatement(): A.Statement | null {
    this.tick();
    const annotations: A.Annotation[] = [];
    if (this.current.type !== "annotation") {
      while (this.pendingAnnotations.length > 0) {
        const last = this.pendingAnnotations[this.pendingAnnotations.length - 1]!;
        if (this.appliesTo(last, Target.STATEMENT)) {
          annotations.unshift(this.pendingAnnotations.pop()!);
        } else {
          this.error(`Annotation "@${last.name}" cannot be applied to a statement.`, last);
          this.clearUnusedAnnotations();
        }
      }
    }
    const start = this.current;
    let result: A.Statement | null = null;
    switch (start.type) {
      case "pass":
      case "breakpoint":
        this.advance();
        result = { kind: start.type, annotations, ...this.spanFrom(start) };
        this.endStatement(`"${start.type}"`);
        break;
      case "break":
      case "continue": {
        this.advance();
        const allowed = start.type === "break" ? this.canBreak : this.canContinue;
        if (!allowed) this.error(`Cannot use "${start.type}" outside of a loop.`, start);
        result = { kind: start.type, annotations, ...this.spanFrom(start) };
        this.endStatement(`"${start.type}"`);
        break;
      }
      case "var":
        this.advance();
        result = this.parseVariable(start, { isStatic: false, allowProperty: false, annotations });
        break;
      case "const":
        this.advance();
        result = this.parseConstant(start, annotations);
        break;
      case "if":
        this.advance();
        result = this.#if(start, annotations);
        break;
      case "for":
        this.advance();
        result = this.#for(start, annotations);
        break;
      case "while":
        this.advance();
        result = this.#while(start, annotations);
        break;
      case "match":
        this.advance();
        result = this.#match(start, annotations);
        break;
      case "return":
        this.advance();
        result = this.#return(start, annotations);
        break;
      case "assert":
        this.advance();
        result = this.#assert(start, annotations);
        break;
      case "annotation":
        this.advance();
        result = this.#statementAnnotation();
        break;
      default:
        result = this.#expressionStatement(annotations);
    }
    if (this.panicMode) this.synchronize();
    return result;
  }

  #statementAnnotation(): A.Annotation | null {
    const annotation = this.parseAnnotation(Target.STATEMENT | Target.STANDALONE);
    if (annotation === null) return null;
    if (!this.appliesTo(annotation, Target.STANDALONE)) {
      this.pendingAnnotations.push(annotation);
      return null;
    }
    if (this.previous.type !== "newline") {
      this.error("Expected newline after a standalone annotation.");
    }
    if (
      annotation.name === "warning_ignore_start" || annotation.name === "warning_ignore_restore"
    ) {
      return annotation;
    }
    this.error(`Annotation "@${annotation.name}" is not allowed in this level.`, annotation);
    return null;
  }

  #expressionStatement(annotations: A.Annotation[]): A.Statement | null {
    const expression = this.parseExpression(true);
    if (expression === null) {
      if (this.inLambda) {
        // Not a statement: the end of the expression that holds this lambda.
        this.lambdaEnded = true;
      } else {
        const token = this.advance();
        this.error(`Expected statement, found ${tokenName(token)} instead.`, token);
      }
      return null;
    }
    const span = this.spanFrom(expression);
    this.endStatement("expression");
    if (expression.kind === "lambda") {
      this.error(
        "Standalone lambdas cannot be accessed. Consider assigning it to a variable.",
        expression,
      );
    }
    return { kind: "expression_statement", expression, annotations, ...span };
  }

  #return(start: Token, annotations: A.Annotation[]): A.ReturnStatement {
    let value: A.Expression | null = null;
    if (!this.isStatementEnd()) {
      if (this.fn?.name === "_init" || this.fn?.name === "_static_init") {
        this.error("Constructor cannot return a value.");
      }
      value = this.parseExpression(false);
    } else if (this.inLambda && !this.isStatementEndToken()) {
      // Perhaps not the end of the statement in a lambda: try an expression anyway.
      value = this.parseExpression(false);
    }
    const node: A.ReturnStatement = { kind: "return", value, annotations, ...this.spanFrom(start) };
    this.endStatement("return statement");
    return node;
  }

  #assert(start: Token, annotations: A.Annotation[]): A.AssertStatement | null {
    this.pushMultiline(true);
    this.consume("(", 'Expected "(" after "assert".');
    const condition = this.parseExpression(false);
    if (condition === null) {
      this.error("Expected expression to assert.");
      this.popMultiline();
      return null;
    }
    let message: A.Expression | null = null;
    if (this.match(",") && !this.check(")")) {
      message = this.parseExpression(false);
      if (message === null) {
        this.error('Expected error message for assert after ",".');
        this.popMultiline();
        return null;
      }
      this.match(",");
    }
    this.popMultiline();
    this.consume(")", 'Expected ")" after assert expression.');
    const node: A.AssertStatement = {
      kind: "assert",
      condition,
      message,
      annotations,
      ...this.spanFrom(start),
    };
    this.endStatement('"assert"');
    return node;
  }

  // -- Control flow ------------------------------------------------------------------------

  #if(start: Token, annotations: A.Annotation[]): A.IfStatement {
    const condition = this.#condition("if");
    const body = this.parseSuite('"if" block');
    const elifs: A.ElifBranch[] = [];
    while (this.match("elif")) {
      const elifStart = this.previous;
      const elifCondition = this.#condition("elif");
      const elifBody = this.parseSuite('"elif" block');
      elifs.push({
        kind: "elif",
        condition: elifCondition,
        body: elifBody,
        ...this.spanFrom(elifStart),
      });
    }
    let elseBody: A.Statement[] | null = null;
    if (this.match("else")) {
      this.consume(":", 'Expected ":" after "else".');
      elseBody = this.parseSuite('"else" block');
    }
    return { kind: "if", condition, body, elifs, elseBody, annotations, ...this.spanFrom(start) };
  }

  /** `<expression>:` after `if`, `elif` or `while`. */
  #condition(keyword: string): A.Expression {
    const condition = this.parseExpression(false);
    if (condition === null) this.error(`Expected conditional expression after "${keyword}".`);
    this.consume(":", `Expected ":" after "${keyword}" condition.`);
    return condition ?? this.missing();
  }

  #while(start: Token, annotations: A.Annotation[]): A.WhileStatement {
    const condition = this.#condition("while");
    const body = this.#loopBody('"while" block');
    return { kind: "while", condition, body, annotations, ...this.spanFrom(start) };
  }

  #for(start: Token, annotations: A.Annotation[]): A.ForStatement {
    let variable: A.Identifier | null = null;
    if (this.consume("identifier", 'Expected loop variable name after "for".')) {
      variable = this.identifier(this.previous);
    }
    let variableType: A.TypeRef | null = null;
    if (this.match(":")) {
      variableType = this.parseType();
      if (variableType === null) this.error('Expected type specifier after ":".');
    }
    this.consume(
      "in",
      variableType
        ? 'Expected "in" after "for" variable type specifier.'
        : 'Expected "in" or ":" after "for" variable name.',
    );
    const iterable = this.parseExpression(false);
    if (iterable === null) this.error('Expected iterable after "in".');
    this.consume(":", 'Expected ":" after "for" condition.');
    const scope: Scope = { locals: new Map(), parent: this.scope };
    if (variable) {
      this.#checkNewLocal(variable);
      scope.locals.set(variable.name, "for loop iterator");
    }
    const body = this.#loopBody('"for" block', scope);
    return {
      kind: "for",
      variable: variable ?? missingName(this.previous),
      variableType,
      iterable: iterable ?? this.missing(),
      body,
      annotations,
      ...this.spanFrom(start),
    };
  }

  #loopBody(context: string, scope?: Scope): A.Statement[] {
    const outerBreak = this.canBreak, outerContinue = this.canContinue;
    this.canBreak = this.canContinue = true;
    const body = this.parseSuite(context, scope);
    this.canBreak = outerBreak;
    this.canContinue = outerContinue;
    return body;
  }

  #checkNewLocal(name: A.Identifier): void {
    const existing = this.lookupLocal(name.name);
    if (existing) {
      this.error(
        `There is already a ${existing} named "${name.name}" declared in this scope.`,
        name,
      );
    }
  }

  // -- match -------------------------------------------------------------------------------

  #match(start: Token, annotations: A.Annotation[]): A.MatchStatement {
    const subject = this.parseExpression(false);
    if (subject === null) this.error('Expected expression to test after "match".');
    this.consume(":", 'Expected ":" after "match" expression.');
    this.consume("newline", 'Expected a newline after "match" statement.');
    const branches: A.MatchBranch[] = [];
    const node = () => ({
      kind: "match" as const,
      subject: subject ?? this.missing(),
      branches,
      annotations,
      ...this.spanFrom(start),
    });
    if (!this.consume("indent", 'Expected an indented block after "match" statement.')) {
      return node();
    }
    let branchAnnotations: A.Annotation[] = [];
    while (!this.check("dedent") && !this.isAtEnd()) {
      this.tick();
      if (this.match("pass")) {
        this.consume("newline", 'Expected newline after "pass".');
        continue;
      }
      if (this.match("annotation")) {
        const annotation = this.parseAnnotation(Target.STATEMENT);
        if (annotation === null) continue;
        if (annotation.name !== "warning_ignore") {
          this.error(`Annotation "@${annotation.name}" is not allowed in this level.`, annotation);
          continue;
        }
        branchAnnotations.push(annotation);
        continue;
      }
      const branch = this.#matchBranch(branchAnnotations);
      if (branch === null) {
        this.advance();
        continue;
      }
      branchAnnotations = [];
      branches.push(branch);
    }
    const result = node();
    this.consume("dedent", 'Expected an indented block after "match" statement.');
    for (const annotation of branchAnnotations) {
      this.error(
        `Annotation "@${annotation.name}" does not precede a valid target, so it will have no effect.`,
        annotation,
      );
    }
    return result;
  }

  #matchBranch(annotations: A.Annotation[]): A.MatchBranch | null {
    const start = this.current;
    const patterns: A.Pattern[] = [];
    let firstBinds: Map<string, A.Identifier> | null = null;
    let hasBind = false;
    do {
      const binds = new Map<string, A.Identifier>();
      const pattern = this.#pattern(binds);
      if (pattern === null) continue;
      if (binds.size > 0) hasBind = true;
      if (patterns.length > 0 && hasBind) {
        this.error("Cannot use a variable bind with multiple patterns.", pattern);
      }
      if (pattern.kind === "pattern_rest") {
        this.error("Rest pattern can only be used inside array and dictionary patterns.", pattern);
      }
      firstBinds ??= binds;
      patterns.push(pattern);
    } while (this.match(","));
    if (patterns.length === 0) this.error('No pattern found for "match" branch.');

    const bindScope = (): Scope => {
      const locals = new Map<string, LocalKind>();
      for (const name of firstBinds?.keys() ?? []) locals.set(name, "pattern bind");
      return { locals, parent: this.scope };
    };
    let guard: A.Expression | null = null;
    const hasGuard = this.match("when");
    if (hasGuard) {
      const outerScope = this.scope;
      this.scope = bindScope();
      guard = this.parseExpression(false);
      this.scope = outerScope;
      if (guard === null) this.error('Expected expression for pattern guard after "when".');
    }
    if (
      !this.consume(
        ":",
        hasGuard
          ? 'Expected ":" after "match" pattern guard.'
          : 'Expected ":" or "when" after "match" patterns.',
      )
    ) {
      return null;
    }
    const body = this.parseSuite("match pattern block", bindScope());
    return { kind: "match_branch", patterns, guard, body, annotations, ...this.spanFrom(start) };
  }

  /** One pattern; `binds` collects the `var` binds of the whole top-level pattern. */
  #pattern(binds: Map<string, A.Identifier>): A.Pattern | null {
    const start = this.current;
    this.enter();
    let pattern: A.Pattern | null;
    switch (start.type) {
      case "var":
        pattern = this.#bindPattern(binds);
        break;
      case "_":
        this.advance();
        pattern = { kind: "pattern_wildcard", ...this.spanFrom(start) };
        break;
      case "..":
        this.advance();
        pattern = { kind: "pattern_rest", ...this.spanFrom(start) };
        break;
      case "[":
        pattern = this.#arrayPattern(binds);
        break;
      case "{":
        pattern = this.#dictionaryPattern(binds);
        break;
      default: {
        const expression = this.parseExpression(false);
        if (expression === null) {
          this.error("Expected expression for match pattern.");
          pattern = null;
        } else if (
          expression.kind === "number" || expression.kind === "string" ||
          expression.kind === "bool" || expression.kind === "null"
        ) {
          pattern = { kind: "pattern_literal", literal: expression, ...this.spanFrom(start) };
        } else {
          pattern = { kind: "pattern_expression", expression, ...this.spanFrom(start) };
        }
      }
    }
    this.leave();
    return pattern;
  }

  #bindPattern(binds: Map<string, A.Identifier>): A.BindPattern | null {
    const start = this.advance();
    if (!this.consume("identifier", 'Expected bind name after "var".')) return null;
    const name = this.identifier(this.previous);
    if (binds.has(name.name)) {
      this.error(`Bind variable name "${name.name}" was already used in this pattern.`);
      return null;
    }
    const existing = this.lookupLocal(name.name);
    if (existing) {
      this.error(`There's already a ${existing} named "${name.name}" in this scope.`);
      return null;
    }
    binds.set(name.name, name);
    return { kind: "pattern_bind", name, ...this.spanFrom(start) };
  }

  #arrayPattern(binds: Map<string, A.Identifier>): A.ArrayPattern {
    const start = this.current;
    this.pushMultiline(true);
    this.advance();
    const elements: A.Pattern[] = [];
    let restUsed = false;
    do {
      if (this.isAtEnd() || this.check("]")) break;
      const element = this.#pattern(binds);
      if (element === null) continue;
      if (restUsed) {
        this.error('The ".." pattern must be the last element in the pattern array.');
      } else if (element.kind === "pattern_rest") {
        restUsed = true;
      }
      elements.push(element);
    } while (this.match(","));
    this.consume("]", 'Expected "]" to close the array pattern.');
    this.popMultiline();
    return { kind: "pattern_array", elements, ...this.spanFrom(start) };
  }

  #dictionaryPattern(binds: Map<string, A.Identifier>): A.DictionaryPattern {
    const start = this.current;
    this.pushMultiline(true);
    this.advance();
    const entries: A.DictionaryPatternEntry[] = [];
    let restUsed = false;
    do {
      if (this.check("}") || this.isAtEnd()) break;
      const entryStart = this.current;
      if (this.match("..")) {
        if (restUsed) {
          this.error('The ".." pattern must be the last element in the pattern dictionary.');
        } else {
          const rest: A.RestPattern = { kind: "pattern_rest", ...this.spanFrom(entryStart) };
          entries.push({
            kind: "pattern_dictionary_entry",
            key: null,
            value: rest,
            ...this.spanFrom(entryStart),
          });
          restUsed = true;
        }
        continue;
      }
      const key = this.parseExpression(false);
      if (key === null) this.error("Expected expression as key for dictionary pattern.");
      let value: A.Pattern | null = null;
      if (this.match(":")) {
        value = this.#pattern(binds);
        if (value === null) continue;
        if (restUsed) {
          this.error('The ".." pattern must be the last element in the pattern dictionary.');
          continue;
        }
        if (value.kind === "pattern_rest") {
          this.error('The ".." pattern cannot be used as a value.');
          continue;
        }
      }
      entries.push({
        kind: "pattern_dictionary_entry",
        key: key ?? this.missing(),
        value,
        ...this.spanFrom(entryStart),
      });
    } while (this.match(","));
    this.consume("}", 'Expected "}" to close the dictionary pattern.');
    this.popMultiline();
    return { kind: "pattern_dictionary", entries, ...this.spanFrom(start) };
  }

  // -- Declarations shared by class bodies and blocks --------------------------------------

  /** `var …` after the `var` token (`start`); members may have accessors. */
  protected abstract parseVariable(
    start: Token,
    options: { isStatic: boolean; allowProperty: boolean; annotations: A.Annotation[] },
  ): A.VarDecl | null;

  /** `const …` after the `const` token. */
  protected parseConstant(start: Token, annotations: A.Annotation[]): A.ConstDecl | null {
    if (!this.consume("identifier", 'Expected constant name after "const".')) return null;
    const name = this.identifier(this.previous);
    let type: A.TypeRef | null = null;
    let inferred = false;
    if (this.match(":")) {
      if (this.check("=")) inferred = true;
      else type = this.parseType();
    }
    if (!this.consume("=", "Expected initializer after constant name.")) return null;
    const value = this.parseExpression(false);
    if (value === null) {
      this.error("Expected initializer expression for constant.");
      return null;
    }
    const node: A.ConstDecl = {
      kind: "const",
      name,
      type,
      inferred,
      value,
      annotations,
      ...this.spanFrom(start),
    };
    this.endStatement("constant declaration");
    return node;
  }

  /** `name[: T | :=][ = default]`. */
  protected parseParameter(): A.Param | null {
    if (!this.consume("identifier", "Expected parameter name.")) return null;
    const start = this.previous;
    const name = this.identifier(start);
    let type: A.TypeRef | null = null;
    let inferred = false;
    if (this.match(":")) {
      if (this.check("=")) inferred = true;
      else type = this.parseType();
    }
    const value = this.match("=") ? this.parseExpression(false) : null;
    return { kind: "param", name, type, inferred, default: value, ...this.spanFrom(start) };
  }

  protected parseSignature(kind: "function" | "lambda", name: string | null): Signature {
    const params: A.Param[] = [];
    let restParam: A.Param | null = null;
    const seen = new Set<string>();
    if (!this.check(")") && !this.isAtEnd()) {
      let defaultUsed = false;
      do {
        if (this.check(")")) break; // Trailing comma.
        const isRest = this.match("...");
        const param = this.parseParameter();
        if (param === null) break;
        if (restParam !== null) {
          this.error("Cannot have parameters after the rest parameter.");
          continue;
        }
        if (param.default !== null) {
          if (isRest) {
            this.error("The rest parameter cannot have a default value.");
            continue;
          }
          defaultUsed = true;
        } else if (defaultUsed && !isRest) {
          this.error("Cannot have mandatory parameters after optional parameters.");
          continue;
        }
        if (seen.has(param.name.name)) {
          this.error(
            `Parameter with name "${param.name.name}" was already declared for this ${kind}.`,
          );
          continue;
        }
        seen.add(param.name.name);
        this.scope?.locals.set(param.name.name, "parameter");
        if (isRest) restParam = param;
        else params.push(param);
      } while (this.match(","));
    }
    this.popMultiline();
    this.consume(")", `Expected closing ")" after ${kind} parameters.`);
    let returnType: A.TypeRef | null = null;
    if (this.match("->")) {
      returnType = this.parseType(true);
      if (returnType === null) this.error('Expected return type or "void" after "->".');
    }
    if (kind === "function" && name === "_static_init") {
      if (!this.fn?.isStatic) this.error("Static constructor must be declared static.");
      if (params.length > 0 || restParam) this.error("Static constructor cannot have parameters.");
    }
    const hasColon = kind === "lambda"
      ? this.consume(":", 'Expected ":" after lambda declaration.')
      : this.match(":");
    return { params, restParam, returnType, hasColon };
  }
}

/** A placeholder name for a declaration whose name is missing (only in trees with errors). */
function missingName(at: Token): A.Identifier {
  return {
    kind: "identifier",
    name: "",
    nonAscii: false,
    line: at.line,
    col: at.col,
    start: at.end,
    end: at.end,
  };
}
