/**
 * The GDScript 4 parser: the script header (`@tool`, `class_name`, `extends`), class bodies and
 * their members, annotations, and the entry point {@linkcode parseGdscript}. It follows Godot
 * 4.6's `GDScriptParser` (parse_program, parse_class_body, parse_variable, parse_property,
 * parse_function, parse_signal, parse_enum, parse_class, parse_annotation).
 *
 * @module
 */

import { ANNOTATIONS, Target } from "./annotations.ts";
import type * as A from "./ast.ts";
import type { Token } from "./lexer.ts";
import {
  MAX_ERRORS,
  MAX_NESTING_DEPTH,
  nestingTooDeep,
  type ParseOptions,
  StopParsing,
  tokenName,
} from "./parser_base.ts";
import { StatementParser } from "./parser_statements.ts";

export { MAX_ERRORS, MAX_NESTING_DEPTH, type ParseOptions };

/**
 * Parses a GDScript 4 source text. Never throws: a script that Godot would refuse to parse gives
 * `{ ok: false, errors }` with up to {@linkcode MAX_ERRORS} errors in source order (at most one
 * per line), each with a 1-based line and column.
 *
 * @example
 * ```ts
 * const result = parseGdscript("extends Node\nfunc _ready():\n\tprint(1)\n");
 * if (result.ok) console.log(result.script.body[0]?.kind); // "func"
 * ```
 */
export function parseGdscript(source: string, options: ParseOptions = {}): A.ParseResult {
  if (typeof source !== "string") {
    return { ok: false, errors: [{ line: 1, col: 1, message: "Source is not text." }] };
  }
  const parser = new Parser(source, options);
  let script: A.Script | null = null;
  try {
    script = parser.parseProgram();
  } catch (err) {
    if (!(err instanceof StopParsing)) parser.internalError(err);
  }
  const errors = parser.collectedErrors();
  if (script && errors.length === 0) return { ok: true, script };
  return { ok: false, errors: errors.length > 0 ? errors : [internalErrorAt(1, 1)] };
}

function internalErrorAt(line: number, col: number): A.ParseError {
  return { line, col, message: "The script could not be parsed." };
}

/** Per-class state: member names for Godot's "same name as a previously declared …" check. */
interface ClassContext {
  readonly members: Map<string, string>;
}

class Parser extends StatementParser {
  readonly #nul: number;

  constructor(source: string, options: ParseOptions) {
    super(source, options);
    this.#nul = source.indexOf("\0");
  }

  /** All errors in source order. */
  collectedErrors(): A.ParseError[] {
    return [...this.errors].sort((a, b) => a.line - b.line || a.col - b.col);
  }

  /** Turns an unexpected exception (a parser bug, or the engine's stack limit) into an error. */
  internalError(err: unknown): void {
    const message = err instanceof RangeError
      ? nestingTooDeep(this.maxDepth)
      : "The script could not be parsed.";
    try {
      this.error(message, this.current);
    } catch {
      // At the error limit already.
    }
  }

  parseProgram(): A.Script {
    if (this.#nul >= 0) {
      // Godot reads scripts as C strings: nothing after a NUL would reach it.
      const { line, col } = this.locate(this.#nul);
      this.fatal("Invalid character (U+0000).", { line, col, start: this.#nul });
    }
    this.prime();
    this.pushMultiline(false);
    const script = this.#program();
    this.popMultiline();
    return script;
  }

  #program(): A.Script {
    const cls: ClassContext = { members: new Map() };
    const annotations: A.Annotation[] = [];
    const body: A.ClassMember[] = [];
    let className: A.ClassName | null = null;
    let extendsClause: A.Extends | null = null;
    let canHaveHeader = true;
    const flushPending = () => {
      annotations.push(...this.pendingAnnotations);
      this.pendingAnnotations = [];
    };

    while (!this.isAtEnd()) {
      this.tick();
      if (this.match("annotation")) {
        const annotation = this.parseAnnotation(
          Target.SCRIPT | Target.CLASS_LEVEL | Target.STANDALONE,
        );
        if (annotation === null) continue;
        if (this.appliesTo(annotation, Target.CLASS)) {
          // For the script or for the next inner class: class_name/extends decide.
          this.pendingAnnotations.push(annotation);
        } else if (this.appliesTo(annotation, Target.SCRIPT)) {
          flushPending();
          this.#checkOnce(annotation, annotations);
          annotations.push(annotation);
        } else if (this.appliesTo(annotation, Target.STANDALONE)) {
          this.#standalone(annotation, body);
          if (annotation.name.startsWith("export_")) {
            canHaveHeader = false;
            break;
          }
        } else {
          this.pendingAnnotations.push(annotation);
          canHaveHeader = false;
          break;
        }
      } else if (this.#commentString()) {
        continue;
      } else {
        break;
      }
    }

    while (canHaveHeader) {
      this.tick();
      const start = this.current;
      switch (start.type) {
        case "class_name":
          flushPending();
          this.advance();
          if (className) {
            this.error('"class_name" can only be used once.', start);
          } else {
            className = this.#className(start);
            if (this.match("extends")) {
              // `class_name X extends Y` on one line.
              extendsClause = this.#extends(this.previous);
              this.endStatement("superclass");
            } else {
              this.endStatement("class_name statement");
            }
          }
          break;
        case "extends":
          flushPending();
          this.advance();
          if (extendsClause) {
            this.error('"extends" can only be used once.', start);
          } else {
            extendsClause = this.#extends(start);
            this.endStatement("superclass");
          }
          break;
        case "eof":
          flushPending();
          canHaveHeader = false;
          break;
        default:
          if (!this.#commentString()) canHaveHeader = false;
      }
      if (this.panicMode) this.synchronize();
    }

    this.#classBody(true, cls, body);
    if (!this.isAtEnd()) this.error("Expected end of file.");
    this.clearUnusedAnnotations();
    return {
      kind: "script",
      annotations,
      className,
      extends: extendsClause,
      body,
      line: 1,
      col: 1,
      start: 0,
      end: this.source.length,
    };
  }

  /** `@tool`, `@icon` and `@static_unload` may appear once per script. */
  #checkOnce(annotation: A.Annotation, seen: A.Annotation[]): void {
    const name = annotation.name;
    if (name !== "tool" && name !== "icon" && name !== "static_unload") return;
    if (seen.some((a) => a.name === name)) {
      this.error(
        `"@${name}" annotation can only be used once${
          name === "static_unload" ? " per script" : ""
        }.`,
        annotation,
      );
    }
    const path = annotation.args[0];
    if (name === "icon" && path?.kind === "string" && path.value === "") {
      this.error('"@icon" annotation argument must contain the path to the icon.', path);
    }
  }

  /** A string on its own line in a class body is a comment (Godot allows it). */
  #commentString(): boolean {
    if (!this.check("literal") || this.current.literalType !== "string") return false;
    this.advance();
    if (!this.match("newline")) this.error("Expected newline after comment string.");
    return true;
  }

  #className(start: Token): A.ClassName | null {
    if (
      !this.consume(
        "identifier",
        'Expected identifier for the global class name after "class_name".',
      )
    ) {
      return null;
    }
    const name = this.identifier(this.previous);
    return { kind: "class_name", name, ...this.spanFrom(start) };
  }

  #extends(start: Token): A.Extends {
    let path: A.StringLiteral | null = null;
    const chain: A.Identifier[] = [];
    const node = (): A.Extends => ({ kind: "extends", path, chain, ...this.spanFrom(start) });
    if (this.match("literal")) {
      const literal = this.literal(this.previous);
      if (literal.kind !== "string" || literal.stringKind !== "string") {
        this.error(
          `Only strings or identifiers can be used after "extends", found "${
            variantTypeName(literal)
          }" instead.`,
          literal,
        );
      } else {
        path = literal;
      }
      if (!this.match(".")) return node();
    }
    if (!this.consume("identifier", 'Expected superclass name after "extends".')) return node();
    chain.push(this.identifier(this.previous));
    while (this.match(".")) {
      if (!this.consume("identifier", 'Expected superclass name after ".".')) return node();
      chain.push(this.identifier(this.previous));
    }
    return node();
  }

  // -- Class bodies ------------------------------------------------------------------------

  #classBody(multiline: boolean, cls: ClassContext, body: A.ClassMember[]): void {
    let staticToken: Token | null = null;
    for (;;) {
      if (this.isAtEnd()) return;
      this.tick();
      const token = this.current;
      let end = false;
      switch (token.type) {
        case "var":
          this.#member(
            cls,
            body,
            Target.VARIABLE,
            "variable",
            (annotations) =>
              this.parseVariable(token, {
                isStatic: staticToken !== null,
                allowProperty: true,
                annotations,
                staticToken,
              }),
          );
          break;
        case "const":
          this.#member(
            cls,
            body,
            Target.CONSTANT,
            "constant",
            (annotations) => this.parseConstant(token, annotations),
          );
          break;
        case "signal":
          this.#member(cls, body, Target.SIGNAL, "signal", (a) => this.#signal(token, a));
          break;
        case "func": {
          const isStatic = staticToken;
          this.#member(
            cls,
            body,
            Target.FUNCTION,
            "function",
            (annotations) => this.#function(isStatic ?? token, isStatic !== null, annotations),
          );
          break;
        }
        case "class":
          this.#member(cls, body, Target.CLASS, "class", (a) => this.#innerClass(token, a));
          break;
        case "enum":
          this.#member(cls, body, 0, "enum", (a) => this.#enum(token, a, cls));
          break;
        case "static":
          this.advance();
          if (!this.check("func") && !this.check("var")) {
            this.error('Expected "func" or "var" after "static".');
          }
          break;
        case "annotation": {
          this.advance();
          const annotation = this.parseAnnotation(Target.CLASS_LEVEL | Target.STANDALONE);
          if (annotation !== null) {
            if (this.appliesTo(annotation, Target.STANDALONE)) this.#standalone(annotation, body);
            else this.pendingAnnotations.push(annotation);
          }
          break;
        }
        case "pass":
          this.advance();
          this.endStatement('"pass"');
          break;
        case "dedent":
          end = true;
          break;
        default:
          if (this.#commentString()) break;
          this.advance();
          this.error(
            removedKeywordMessage(token) ?? `Unexpected ${tokenName(token)} in class body.`,
            token,
          );
      }
      staticToken = token.type === "static" ? token : null;
      if (this.panicMode) this.synchronize();
      if (end || !multiline) return;
    }
  }

  /** A standalone annotation in a class body (export groups, warning regions). */
  #standalone(annotation: A.Annotation, body: A.ClassMember[]): void {
    if (this.previous.type !== "newline") {
      this.error("Expected newline after a standalone annotation.");
    }
    const name = annotation.name;
    if (
      name === "export_category" || name === "export_group" || name === "export_subgroup" ||
      name === "warning_ignore_start" || name === "warning_ignore_restore"
    ) {
      body.push(annotation);
    } else {
      this.error("Unexpected standalone annotation.", annotation);
    }
  }

  /** Godot's `parse_class_member`: attaches pending annotations, parses, checks the name. */
  #member<T extends A.ClassMember>(
    cls: ClassContext,
    body: A.ClassMember[],
    target: number,
    kindName: string,
    parse: (annotations: A.Annotation[]) => T | null,
  ): void {
    this.advance();
    const annotations: A.Annotation[] = [];
    while (this.pendingAnnotations.length > 0) {
      const last = this.pendingAnnotations[this.pendingAnnotations.length - 1]!;
      if (this.appliesTo(last, target)) {
        annotations.unshift(this.pendingAnnotations.pop()!);
      } else {
        this.error(`Annotation "@${last.name}" cannot be applied to a ${kindName}.`, last);
        this.clearUnusedAnnotations();
      }
    }
    const member = parse(annotations);
    if (member === null) return;
    body.push(member);
    if (member.kind === "annotation" || member.name === null) return;
    const name = member.name.name;
    const previous = cls.members.get(name);
    if (previous) {
      this.error(
        `${capitalize(kindName)} "${name}" has the same name as a previously declared ${previous}.`,
        member.name,
      );
    } else {
      cls.members.set(name, kindName);
    }
  }

  // -- Members -----------------------------------------------------------------------------

  protected parseVariable(
    start: Token,
    options: {
      isStatic: boolean;
      allowProperty: boolean;
      annotations: A.Annotation[];
      staticToken?: Token | null;
    },
  ): A.VarDecl | null {
    const spanStart = options.staticToken ?? start;
    if (!this.consume("identifier", 'Expected variable name after "var".')) return null;
    const name = this.identifier(this.previous);
    let type: A.TypeRef | null = null;
    let inferred = false;
    let value: A.Expression | null = null;
    const node = (property: A.Property | null): A.VarDecl => ({
      kind: "var",
      name,
      type,
      inferred,
      value,
      isStatic: options.isStatic,
      annotations: options.annotations,
      property,
      ...this.spanFrom(spanStart),
    });

    if (this.match(":")) {
      if (this.check("newline")) {
        if (!options.allowProperty) {
          this.error('Expected type after ":"');
          return null;
        }
        this.advance();
        return this.#withProperty(node, name, options.isStatic, true);
      } else if (this.check("=")) {
        inferred = true;
      } else {
        if (
          options.allowProperty && this.check("identifier") &&
          (this.current.value === "get" || this.current.value === "set")
        ) {
          return this.#withProperty(node, name, options.isStatic, false);
        }
        type = this.parseType();
      }
    }
    if (this.match("=")) {
      value = this.parseExpression(false);
      if (value === null) this.error('Expected expression for variable initial value after "=".');
    }
    if (options.allowProperty && this.match(":")) {
      return this.#withProperty(node, name, options.isStatic, this.match("newline"));
    }
    const result = node(null);
    this.endStatement("variable declaration");
    return result;
  }

  #withProperty(
    node: (property: A.Property | null) => A.VarDecl,
    name: A.Identifier,
    isStatic: boolean,
    needIndent: boolean,
  ): A.VarDecl | null {
    const property = this.#property(name, isStatic, needIndent);
    return property ? node(property) : null;
  }

  /** Godot's `parse_property`: `set`/`get` accessors, inline or named. */
  #property(variable: A.Identifier, isStatic: boolean, needIndent: boolean): A.Property | null {
    if (needIndent && !this.consume("indent", 'Expected indented block for property after ":".')) {
      return null;
    }
    const start = this.current;
    if (!this.consume("identifier", 'Expected "get" or "set" for property declaration.')) {
      return null;
    }
    let accessor = this.previous;
    const style = this.check("=") ? "named" : "inline";
    if (style === "inline" && !needIndent) {
      this.error("Property with inline code must go to an indented block.");
    }
    let getter: A.Getter | null = null, setter: A.Setter | null = null;
    let getterName: A.Identifier | null = null, setterName: A.Identifier | null = null;
    let getterUsed = false, setterUsed = false;
    for (let i = 0; i < 2; i++) {
      if (accessor.value === "set") {
        if (setterUsed) {
          this.error("Properties can only have one setter.", accessor);
        } else {
          if (style === "inline") setter = this.#setter(accessor, variable, isStatic);
          else setterName = this.#accessorName("set");
          setterUsed = true;
        }
      } else if (accessor.value === "get") {
        if (getterUsed) {
          this.error("Properties can only have one getter.", accessor);
        } else {
          if (style === "inline") getter = this.#getter(accessor, variable, isStatic);
          else getterName = this.#accessorName("get");
          getterUsed = true;
        }
      } else {
        this.error('Expected "get" or "set" for property declaration.');
      }
      if (i === 0 && style === "named") {
        if (!this.match(",")) break;
        if (this.match("newline") && !needIndent) {
          this.error(
            'Inline setter/getter setting cannot span across multiple lines (use "\\\\"" if needed).',
          );
        }
      }
      if (!this.match("identifier")) break;
      accessor = this.previous;
    }
    const property: A.Property = {
      kind: "property",
      style,
      getter,
      setter,
      getterName,
      setterName,
      ...this.spanFrom(start),
    };
    if (style === "named") this.endStatement("property declaration");
    if (needIndent) this.consume("dedent", "Expected end of indented block for property.");
    return property;
  }

  #accessorName(which: "get" | "set"): A.Identifier | null {
    this.consume("=", `Expected "=" after "${which}"`);
    const what = which === "get" ? "getter" : "setter";
    if (!this.consume("identifier", `Expected ${what} function name after "=".`)) return null;
    return this.identifier(this.previous);
  }

  #setter(start: Token, variable: A.Identifier, isStatic: boolean): A.Setter | null {
    this.consume("(", 'Expected "(" after "set".');
    let param: A.Identifier | null = null;
    if (this.consume("identifier", 'Expected parameter name after "(".')) {
      param = this.identifier(this.previous);
    }
    this.consume(")", 'Expected ")" after parameter name.');
    this.consume(":", 'Expected ":" after ")".');
    if (param === null) return null;
    const body = this.#accessorBody(
      `@${variable.name}_setter`,
      isStatic,
      "setter declaration",
      param,
    );
    return { kind: "setter", param, body, ...this.spanFrom(start) };
  }

  #getter(start: Token, variable: A.Identifier, isStatic: boolean): A.Getter {
    if (this.match("(")) {
      this.consume(")", 'Expected ")" after "get(".');
      this.consume(":", 'Expected ":" after "get()".');
    } else {
      this.consume(":", 'Expected ":" or "(" after "get".');
    }
    const body = this.#accessorBody(`@${variable.name}_getter`, isStatic, "getter declaration");
    return { kind: "getter", body, ...this.spanFrom(start) };
  }

  #accessorBody(
    fnName: string,
    isStatic: boolean,
    context: string,
    param?: A.Identifier,
  ): A.Statement[] {
    const outerFn = this.fn;
    this.fn = { name: fnName, isStatic };
    const scope = { locals: new Map(), parent: null };
    if (param) scope.locals.set(param.name, "parameter");
    const body = this.parseSuite(context, scope);
    this.fn = outerFn;
    return body;
  }

  #function(start: Token, isStatic: boolean, annotations: A.Annotation[]): A.FuncDecl | null {
    if (!this.consume("identifier", 'Expected function name after "func".')) return null;
    const name = this.identifier(this.previous);
    const outerFn = this.fn, outerScope = this.scope;
    this.fn = { name: name.name, isStatic };
    const scope = { locals: new Map(), parent: null };
    this.scope = scope;
    this.pushMultiline(true);
    this.consume("(", 'Expected opening "(" after function name.');
    const signature = this.parseSignature("function", name.name);
    this.scope = outerScope;
    let body: A.Statement[] | null = null;
    if (signature.hasColon) {
      body = this.parseSuite("function declaration", scope);
    } else if (annotations.some((a) => a.name === "abstract")) {
      this.endStatement("bodyless function declaration");
    } else {
      this.error('Expected ":" after function declaration.');
    }
    this.fn = outerFn;
    return {
      kind: "func",
      name,
      params: signature.params,
      restParam: signature.restParam,
      returnType: signature.returnType,
      body,
      isStatic,
      annotations,
      ...this.spanFrom(start),
    };
  }

  #signal(start: Token, annotations: A.Annotation[]): A.SignalDecl | null {
    if (!this.consume("identifier", 'Expected signal name after "signal".')) return null;
    const name = this.identifier(this.previous);
    const params: A.Param[] = [];
    if (this.check("(")) {
      this.pushMultiline(true);
      this.advance();
      const seen = new Set<string>();
      do {
        if (this.check(")")) break; // Trailing comma.
        const param = this.parseParameter();
        if (param === null) {
          this.error("Expected signal parameter name.");
          break;
        }
        if (param.default !== null) this.error("Signal parameters cannot have a default value.");
        if (seen.has(param.name.name)) {
          this.error(
            `Parameter with name "${param.name.name}" was already declared for this signal.`,
          );
        } else {
          seen.add(param.name.name);
          params.push(param);
        }
      } while (this.match(",") && !this.isAtEnd());
      this.popMultiline();
      this.consume(")", 'Expected closing ")" after signal parameters.');
    }
    const node: A.SignalDecl = {
      kind: "signal",
      name,
      params,
      annotations,
      ...this.spanFrom(start),
    };
    this.endStatement("signal declaration");
    return node;
  }

  #enum(start: Token, annotations: A.Annotation[], cls: ClassContext): A.EnumDecl {
    const name = this.match("identifier") ? this.identifier(this.previous) : null;
    this.pushMultiline(true);
    this.consume("{", name ? 'Expected "{" after enum name.' : 'Expected "{" after "enum".');
    const values: A.EnumValue[] = [];
    const lines = new Map<string, number>();
    do {
      if (this.check("}")) break; // Trailing comma.
      if (!this.consume("identifier", "Expected identifier for enum key.")) continue;
      const key = this.identifier(this.previous);
      const seenAt = lines.get(key.name);
      if (seenAt !== undefined) {
        this.error(`Name "${key.name}" was already in this enum (at line ${seenAt}).`, key);
      } else if (!name && cls.members.has(key.name)) {
        this.error(`Name "${key.name}" is already used as a class ${cls.members.get(key.name)}.`);
      }
      lines.set(key.name, key.line);
      let value: A.Expression | null = null;
      if (this.match("=")) {
        value = this.parseExpression(false);
        if (value === null) this.error('Expected expression value after "=".');
      }
      values.push({ kind: "enum_value", name: key, value, ...this.spanFrom(key) });
      if (!name) cls.members.set(key.name, "enum value");
    } while (this.match(","));
    this.popMultiline();
    this.consume("}", 'Expected closing "}" for enum.');
    const node: A.EnumDecl = { kind: "enum", name, values, annotations, ...this.spanFrom(start) };
    this.endStatement("enum");
    return node;
  }

  #innerClass(start: Token, annotations: A.Annotation[]): A.ClassDecl | null {
    this.enter();
    let name: A.Identifier | null = null;
    if (this.consume("identifier", 'Expected identifier for the class name after "class".')) {
      name = this.identifier(this.previous);
    }
    let extendsClause = this.match("extends") ? this.#extends(this.previous) : null;
    this.consume(":", 'Expected ":" after class declaration.');
    const body: A.ClassMember[] = [];
    const node = (): A.ClassDecl | null =>
      name
        ? {
          kind: "class",
          name,
          extends: extendsClause,
          body,
          annotations,
          ...this.spanFrom(start),
        }
        : null;
    const multiline = this.match("newline");
    if (multiline && !this.consume("indent", "Expected indented block after class declaration.")) {
      this.leave();
      return node();
    }
    if (this.match("extends")) {
      if (extendsClause) this.error('Cannot use "extends" more than once in the same class.');
      extendsClause = this.#extends(this.previous);
      this.endStatement("superclass");
    }
    const outerFn = this.fn, outerScope = this.scope;
    this.fn = null;
    this.scope = null;
    this.#classBody(multiline, { members: new Map() }, body);
    this.fn = outerFn;
    this.scope = outerScope;
    const result = node();
    if (multiline) this.consume("dedent", "Missing unindent at the end of the class body.");
    this.leave();
    return result;
  }

  // -- Annotations -------------------------------------------------------------------------

  protected parseAnnotation(validTargets: number): A.Annotation | null {
    const token = this.previous;
    const name = String(token.value);
    const known = ANNOTATIONS.get(name);
    let valid = true;
    if (!known) {
      this.error(unknownAnnotationMessage(name), token);
      valid = false;
    } else if ((known.targets & validTargets) === 0) {
      this.error(
        known.targets & Target.SCRIPT
          ? `Annotation "@${name}" must be at the top of the script, before "extends" and "class_name".`
          : `Annotation "@${name}" is not allowed in this level.`,
        token,
      );
      valid = false;
    }
    const args: A.Expression[] = [];
    if (this.check("(")) {
      this.pushMultiline(true);
      this.advance();
      do {
        if (this.check(")")) break; // Trailing comma.
        const arg = this.parseExpression(false);
        if (arg === null) {
          this.error("Expected expression as the annotation argument.");
          valid = false;
        } else {
          args.push(arg);
        }
      } while (this.match(","));
      this.popMultiline();
      this.consume(")", 'Expected ")" after annotation arguments.');
    }
    const annotation: A.Annotation = { kind: "annotation", name, args, ...this.spanFrom(token) };
    this.match("newline"); // Optional.
    if (valid && known) valid = this.#validateArguments(annotation, known);
    return valid ? annotation : null;
  }

  #validateArguments(
    annotation: A.Annotation,
    known: { params: number; defaults: number; vararg: boolean },
  ): boolean {
    const count = annotation.args.length;
    const name = `@${annotation.name}`;
    if (!known.vararg && count > known.params) {
      this.error(
        `Annotation "${name}" requires at most ${known.params} arguments, but ${count} were given.`,
        annotation,
      );
      return false;
    }
    if (count < known.params - known.defaults) {
      this.error(
        `Annotation "${name}" requires at least ${
          known.params - known.defaults
        } arguments, but ${count} were given.`,
        annotation,
      );
      return false;
    }
    const first = annotation.args[0];
    if (name === "@icon" && (first?.kind !== "string" || first.stringKind !== "string")) {
      this.error('Argument 1 of annotation "@icon" must be a string literal.', first ?? annotation);
      return false;
    }
    return true;
  }
}

function unknownAnnotationMessage(name: string): string {
  switch (name) {
    case "deprecated":
      return '"@deprecated" annotation does not exist. Use "## @deprecated: Reason here." instead.';
    case "experimental":
      return '"@experimental" annotation does not exist. Use "## @experimental: Reason here." instead.';
    case "tutorial":
      return '"@tutorial" annotation does not exist. Use "## @tutorial(Title): https://example.com" instead.';
    default:
      return `Unrecognized annotation: "@${name}".`;
  }
}

const REMOVED_KEYWORDS: Readonly<Record<string, string>> = {
  export: 'an export annotation ("@export", "@export_range", etc.)',
  tool: 'the "@tool" annotation',
  onready: 'the "@onready" annotation',
  remote: 'the "@rpc" annotation with "any_peer"',
  remotesync: 'the "@rpc" annotation with "any_peer" and "call_local"',
  puppet: 'the "@rpc" annotation with "authority"',
  puppetsync: 'the "@rpc" annotation with "authority" and "call_local"',
  master: 'the "@rpc" annotation with "any_peer" and perform a check inside the function',
  mastersync:
    'the "@rpc" annotation with "any_peer" and "call_local", and perform a check inside the function',
};

function removedKeywordMessage(token: Token): string | null {
  if (token.type !== "identifier") return null;
  const instead = Object.hasOwn(REMOVED_KEYWORDS, String(token.value))
    ? REMOVED_KEYWORDS[String(token.value)]
    : undefined;
  if (!instead) return null;
  return `The "${token.value}" keyword was removed in Godot 4. Use ${instead} instead.`;
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function variantTypeName(literal: A.Literal): string {
  switch (literal.kind) {
    case "number":
      return literal.isInt ? "int" : "float";
    case "bool":
      return "bool";
    case "null":
      return "Nil";
    case "string":
      return literal.stringKind === "string_name"
        ? "StringName"
        : literal.stringKind === "node_path"
        ? "NodePath"
        : "String";
  }
}
