import assert from "node:assert/strict";
import { Lexer, type Token } from "./lexer.ts";

/** All tokens up to `eof`, optionally in multiline (bracket) mode. */
function scanAll(source: string, multiline = false): Token[] {
  const lexer = new Lexer(source);
  lexer.setMultilineMode(multiline);
  const tokens: Token[] = [];
  for (let i = 0; i < 10_000; i++) {
    const token = lexer.scan();
    tokens.push(token);
    if (token.type === "eof") return tokens;
  }
  throw new Error("lexer did not reach the end");
}

/** Compact `type` or `type:value` strings, for readable assertions. */
function kinds(source: string, multiline = false): string[] {
  return scanAll(source, multiline).map((t) => {
    if (t.type === "identifier" || t.type === "annotation" || t.type === "error") {
      return `${t.type}:${t.value}`;
    }
    if (t.type === "literal") return `${t.literalType}:${JSON.stringify(t.value)}`;
    return t.type;
  });
}

function errors(source: string, multiline = false): string[] {
  return scanAll(source, multiline).filter((t) => t.type === "error").map((t) =>
    `${t.line}:${t.col} ${t.value}`
  );
}

function literal(source: string): Token {
  const token = scanAll(source).find((t) => t.type === "literal");
  assert.ok(token, `no literal in ${source}`);
  return token;
}

Deno.test("Lexer: keywords, identifiers, constants and the lone underscore", () => {
  assert.deepEqual(kinds("var x = self if true else null"), [
    "var",
    "identifier:x",
    "=",
    "self",
    "if",
    "bool:true",
    "else",
    "null:null",
    "newline",
    "eof",
  ]);
  assert.deepEqual(kinds("_ _a PI TAU INF NAN when match"), [
    "_",
    "identifier:_a",
    "PI",
    "TAU",
    "INF",
    "NAN",
    "when",
    "match",
    "newline",
    "eof",
  ]);
});

Deno.test("Lexer: identifiers keep their exact text and flag non-ASCII characters", () => {
  const [composed, decomposed, ascii] = scanAll("café cafe\u0301 cafe");
  assert.equal(composed!.value, "café");
  assert.equal(composed!.flag, true);
  assert.equal(decomposed!.value, "cafe\u0301", "no Unicode normalisation");
  assert.equal(decomposed!.flag, true);
  assert.equal(ascii!.flag, false);
  // A Cyrillic "о" makes a different name from the ASCII one.
  const [cyrillic] = scanAll("get_tree\u043e");
  assert.equal(cyrillic!.value, "get_tree\u043e");
  assert.equal(cyrillic!.flag, true);
});

Deno.test("Lexer: an identifier that looks like a keyword is refused, as Godot does", () => {
  assert.deepEqual(errors("var \u0430s = 1"), [
    '1:5 Identifier "\u0430s" is visually similar to the GDScript keyword "as" and thus not allowed.',
  ]);
  assert.deepEqual(errors("var \uff49f = 1").length, 1, "fullwidth letters too");
  assert.deepEqual(errors("var as_ = 1"), []);
});

Deno.test("Lexer: numbers in every notation", () => {
  const cases: [string, number, "int" | "float"][] = [
    ["12", 12, "int"],
    ["1_000_000", 1_000_000, "int"],
    ["0x1F", 31, "int"],
    ["0xff_ff", 0xffff, "int"],
    ["0b1010", 10, "int"],
    ["1.5", 1.5, "float"],
    [".5", 0.5, "float"],
    ["1.", 1, "float"],
    ["1e3", 1000, "float"],
    ["2.5e-2", 0.025, "float"],
    ["1_0.2_5", 10.25, "float"],
  ];
  for (const [source, value, type] of cases) {
    const token = literal(source);
    assert.equal(token.value, value, source);
    assert.equal(token.literalType, type, source);
  }
});

Deno.test("Lexer: a sign joins a number only where no operand precedes it", () => {
  assert.deepEqual(kinds("f(-1, +2)"), [
    "identifier:f",
    "(",
    "int:-1",
    ",",
    "int:2",
    ")",
    "newline",
    "eof",
  ]);
  assert.deepEqual(kinds("a-1"), ["identifier:a", "-", "int:1", "newline", "eof"]);
  assert.deepEqual(kinds("x = -0x10"), ["identifier:x", "=", "int:-16", "newline", "eof"]);
});

Deno.test("Lexer: malformed numbers give Godot's errors", () => {
  assert.deepEqual(errors("0x"), ['1:1 Expected hexadecimal digit after "0x".']);
  assert.deepEqual(errors("0b"), ['1:1 Expected binary digit after "0b".']);
  assert.deepEqual(errors("0x_1"), ['1:3 Unexpected underscore after "0x".']);
  assert.deepEqual(errors("1__0"), [
    "1:3 Multiple underscores cannot be adjacent in a numeric literal.",
  ]);
  assert.deepEqual(errors("1.2.3"), ["1:4 Cannot use a decimal point twice in a number."]);
  assert.deepEqual(errors("0x1.5"), ["1:4 Cannot use a decimal point in a hexadecimal number."]);
  assert.deepEqual(errors("1e"), ['1:3 Expected exponent value after "e".']);
  assert.deepEqual(errors("12abc"), ["1:3 Invalid numeric notation."]);
  assert.deepEqual(errors("0b102"), ["1:5 Invalid numeric notation."]);
});

Deno.test("Lexer: string forms and their kinds", () => {
  const plain = literal('"a\\tb"');
  assert.equal(plain.value, "a\tb");
  assert.equal(plain.literalType, "string");
  assert.equal(literal("'it\\'s'").value, "it's");
  assert.equal(literal('&"name"').literalType, "string_name");
  assert.equal(literal("^'a/b'").literalType, "node_path");
  const raw = literal('r"C:\\new\\"x"');
  assert.equal(raw.value, 'C:\\new\\"x');
  assert.equal(raw.flag, true, "raw");
  const triple = literal('"""one\n"two"\nthree"""');
  assert.equal(triple.value, 'one\n"two"\nthree');
  assert.equal(triple.triple, true);
  assert.equal(literal("r'''a\\b'''").value, "a\\b");
});

Deno.test("Lexer: unicode escapes, surrogate pairs and their errors", () => {
  assert.equal(literal('"\\u00e9\\U01F600"').value, "é😀");
  assert.equal(literal('"\\ud83d\\ude00"').value, "😀", "a UTF-16 pair written as two escapes");
  assert.deepEqual(errors('"\\u12G4"'), [
    "1:6 Invalid hexadecimal digit in unicode escape sequence.",
  ]);
  assert.deepEqual(errors('"\\ud83d x"'), [
    "1:2 Invalid UTF-16 sequence in string, unpaired lead surrogate.",
  ]);
  assert.deepEqual(errors('"\\ude00"'), [
    "1:2 Invalid UTF-16 sequence in string, unpaired trail surrogate.",
  ]);
  assert.deepEqual(errors('"\\q"'), ["1:2 Invalid escape in string."]);
  assert.equal(errors('"\\U110000"').length, 1, "beyond U+10FFFF");
});

Deno.test("Lexer: unterminated strings, escaped line breaks and hidden direction controls", () => {
  assert.deepEqual(errors('x = "abc'), ["1:5 Unterminated string."]);
  assert.deepEqual(errors('x = """abc"'), ["1:5 Unterminated string."]);
  assert.equal(literal('"a\\\nb"').value, "ab");
  assert.equal(errors('"a\u202eb"').length, 1);
  assert.equal(errors('r"a\u2066b"').length, 1);
});

Deno.test("Lexer: a backslash joins lines only between tokens", () => {
  assert.deepEqual(kinds("a \\\n  + b"), ["identifier:a", "+", "identifier:b", "newline", "eof"]);
  // A backslash inside a name splits it: two identifiers, which no statement accepts.
  assert.deepEqual(kinds("get_tr\\\nee()"), [
    "identifier:get_tr",
    "identifier:ee",
    "(",
    ")",
    "newline",
    "eof",
  ]);
  assert.deepEqual(errors("a \\ b"), ['1:3 Expected new line after "\\".']);
  assert.deepEqual(kinds("a \\\r\n+ b"), ["identifier:a", "+", "identifier:b", "newline", "eof"]);
});

Deno.test("Lexer: indentation becomes indent and dedent tokens", () => {
  assert.deepEqual(kinds("a:\n\tb\n\t\tc\n\n  # comment\nd\n"), [
    "identifier:a",
    ":",
    "newline",
    "indent",
    "identifier:b",
    "newline",
    "indent",
    "identifier:c",
    "newline",
    "dedent",
    "dedent",
    "identifier:d",
    "newline",
    "eof",
  ]);
});

Deno.test("Lexer: inconsistent indentation gives Godot's errors", () => {
  assert.deepEqual(errors("a:\n\t b\n"), ["2:1 Mixed use of tabs and spaces for indentation."]);
  assert.deepEqual(errors("a:\n\tb\nc:\n    d\n"), [
    "4:1 Used space character for indentation instead of tab as used before in the file.",
  ]);
  assert.deepEqual(errors("a:\n    b\n  c\n"), [
    "3:1 Unindent doesn't match the previous indentation level.",
  ]);
});

Deno.test("Lexer: in multiline mode line breaks and indentation are not tokens", () => {
  assert.deepEqual(kinds("[1,\n\t2,\n3]", true), [
    "[",
    "int:1",
    ",",
    "int:2",
    ",",
    "int:3",
    "]",
    "eof",
  ]);
});

Deno.test("Lexer: brackets must match", () => {
  assert.deepEqual(errors("(]"), ['1:2 Closing "]" doesn\'t have an opening counterpart.']);
  // As Godot: the mismatched opener is dropped and the message names the one before it.
  assert.deepEqual(errors("[(]"), ['1:3 Closing "]" doesn\'t match the opening "[".']);
  assert.deepEqual(errors(")"), ['1:1 Closing ")" doesn\'t have an opening counterpart.']);
});

Deno.test("Lexer: operators, annotations, node paths and conflict markers", () => {
  assert.deepEqual(
    kinds("a **= b ** c << d >>= e != f && g || !h ... .. -> $N/M %U &= ^= |="),
    [
      "identifier:a",
      "**=",
      "identifier:b",
      "**",
      "identifier:c",
      "<<",
      "identifier:d",
      ">>=",
      "identifier:e",
      "!=",
      "identifier:f",
      "&&",
      "identifier:g",
      "||",
      "!",
      "identifier:h",
      "...",
      "..",
      "->",
      "$",
      "identifier:N",
      "/",
      "identifier:M",
      "%",
      "identifier:U",
      "&=",
      "^=",
      "|=",
      "newline",
      "eof",
    ],
  );
  assert.deepEqual(kinds("@export_range(1, 2)").slice(0, 2), ["annotation:export_range", "("]);
  assert.deepEqual(errors("@ x"), ['1:2 Expected annotation identifier after "@".']);
  assert.ok(kinds("<<<<<<< HEAD").includes("vcs_conflict_marker"));
});

Deno.test("Lexer: invalid characters and white space are named", () => {
  assert.deepEqual(errors("a\u00a0b"), ["1:2 Invalid white space character U+00A0."]);
  assert.deepEqual(errors("a ¤ b"), ['1:3 Invalid character "¤" (U+00A4).']);
  assert.deepEqual(errors("a\fb"), ["1:2 Invalid white space character U+000C."]);
  assert.deepEqual(errors("a\rb"), ["1:2 Stray carriage return character in source code."]);
});

Deno.test("Lexer: positions are 1-based lines and UTF-16 columns; CRLF and a BOM are fine", () => {
  const tokens = scanAll("\ufeffvar x\r\n\tvar y");
  const [v, x, , indent, v2] = tokens;
  // The byte order mark is not part of the script: columns start after it.
  assert.deepEqual([v!.line, v!.col, v!.start], [1, 1, 1]);
  assert.deepEqual([x!.line, x!.col], [1, 5]);
  assert.equal(indent!.type, "indent");
  assert.deepEqual([v2!.line, v2!.col], [2, 2]);
});

Deno.test("Lexer: hostile input queues a bounded number of errors", () => {
  const tokens = scanAll('"' + "\\q".repeat(5_000) + '"');
  const errorCount = tokens.filter((t) => t.type === "error").length;
  assert.ok(errorCount <= 32, `${errorCount} errors`);
});
