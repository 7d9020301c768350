/**
 * Seeded mutation test: thousands of random token- and line-level edits of both corpora. Every
 * mutant gets a structured verdict (never an exception), the same verdict twice, and an oracle
 * independent of the parser checks that no edit turns a refused construct into an accepted one:
 *
 * - a forbidden name, a refused keyword (`while`, `super`, `class_name`…), a refused annotation,
 *   a `$` node path, a `^"…"` NodePath or a non-ASCII name anywhere in the code (outside strings
 *   and comments) means the spell is refused;
 * - a fresh name (one the corpus never declares) that occurs once in the code can only be accepted
 *   where it declares something (after `var`, `const`, `func`, `for`, `enum`, `(`, `,`, `{`):
 *   anywhere else it is a use of a name that is not part of the API;
 * - a name Godot defines (godot_names.ts) right after `var`, `const`, `func`, `enum` or `for` is
 *   a declaration the spell may not make (except the callbacks and `func get_manifest`);
 * - `static var`, `one_shot = false`, an integer literal beyond 64 bits, and `set_loops(n)` with a
 *   literal above the limit are refused wherever they are written.
 *
 * The oracle makes no claim about a mutant it cannot tokenize cleanly (a stray quote), so it never
 * disagrees with the real lexer about what is a string.
 * @module
 */
import assert from "node:assert/strict";
import {
  BUILTIN_TYPES,
  CLASSES,
  CONSTANTS,
  GDSCRIPT_FUNCTIONS,
  GLOBAL_ENUMS,
  INHERITED_MEMBERS,
  SINGLETONS,
  UTILITY_FUNCTIONS,
} from "../api/godot_names.ts";
import { SPELLSCRIPT_API } from "../api/spellscript_api.ts";
import { validateSpellScript } from "../mod.ts";
import { corpus } from "../../../../tests/helpers/spellscript_corpus.ts";

const SEED = 0x5eed_0011;
const MUTANTS = 5000;

/** Deterministic PRNG (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Kind = "ws" | "nl" | "comment" | "str" | "num" | "id" | "ann" | "op" | "other";
interface Token {
  kind: Kind;
  text: string;
}

const TOKEN = new RegExp(
  [
    String.raw`(?<ws>[ \t]+)`,
    String.raw`(?<nl>\r?\n)`,
    String.raw`(?<comment>#[^\n]*)`,
    String
      .raw`(?<str>(?:[rR][&^]?|[&^][rR]?)?(?:"""[\s\S]*?"""|'''[\s\S]*?'''|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'))`,
    String.raw`(?<num>0x[0-9a-fA-F_]+|0b[01_]+|\d[\d_]*(?:\.[\d_]*)?(?:[eE][+-]?\d+)?|\.\d+)`,
    String.raw`(?<id>[\p{L}_][\p{L}\p{N}_]*)`,
    String.raw`(?<ann>@[\p{L}_][\p{L}\p{N}_]*)`,
    String
      .raw`(?<op>\*\*=|<<=|>>=|\.\.\.|->|:=|==|!=|<=|>=|&&|\|\||<<|>>|\+=|-=|\*=|\/=|%=|&=|\|=|\^=|\*\*|\.\.|[-+*\/%<>=!&|^~.,:;()\[\]{}$\\?])`,
    String.raw`(?<other>[\s\S])`,
  ].join("|"),
  "uy",
);

const KINDS: readonly Kind[] = ["ws", "nl", "comment", "str", "num", "id", "ann", "op", "other"];

/** The oracle's own tokenizer: independent of the parser, layout kept. */
function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < source.length) {
    const match = TOKEN.exec(source)!;
    const groups = match.groups!;
    let kind: Kind = "other";
    for (const name of KINDS) {
      if (groups[name] !== undefined) {
        kind = name;
        break;
      }
    }
    tokens.push({ kind, text: match[0] });
  }
  return tokens;
}

const REFUSED_WORDS = new Set([
  ...SPELLSCRIPT_API.forbidden.map((f) => f.name),
  "while",
  "super",
  "class_name",
  "breakpoint",
  "class",
  "signal",
  "preload",
]);
const ALLOWED_ANNOTATIONS = new Set(SPELLSCRIPT_API.annotations.map((a) => `@${a.name}`));
const DECLARING = new Set(["var", "const", "func", "for", "enum", "(", ",", "{"]);
/** Names a spell may never declare, and the keywords that declare. */
const GODOT_NAMES = new Set([
  ...UTILITY_FUNCTIONS,
  ...GDSCRIPT_FUNCTIONS,
  ...BUILTIN_TYPES,
  ...GLOBAL_ENUMS,
  ...SINGLETONS,
  ...CLASSES,
  ...CONSTANTS,
  ...INHERITED_MEMBERS,
]);
const OVERRIDABLE = new Set([...SPELLSCRIPT_API.callbacks.map((c) => c.name), "get_manifest"]);
const DECLARATIONS = new Set(["var", "const", "func", "enum", "for"]);
const FRESH = /^zqfresh\d+$/;

/** Why the oracle says this source must be refused, or null when it claims nothing. */
function mustRefuse(tokens: readonly Token[]): string | null {
  if (tokens.some((t) => t.kind === "other" && t.text.trim() !== "")) return null;
  const code = tokens.filter((t) => t.kind !== "ws" && t.kind !== "nl" && t.kind !== "comment");
  for (const token of code) {
    if (token.kind === "id" && REFUSED_WORDS.has(token.text)) return `uses ${token.text}`;
    if (token.kind === "id" && /[^\p{ASCII}]/u.test(token.text)) return `non-ASCII ${token.text}`;
    if (token.kind === "ann" && !ALLOWED_ANNOTATIONS.has(token.text)) return `uses ${token.text}`;
    if (token.kind === "op" && token.text === "$") return "uses $";
    if (token.kind === "str" && /^[rR]?\^/.test(token.text)) return "uses a NodePath literal";
  }
  for (let i = 0; i + 1 < code.length; i++) {
    const [a, b, c, d] = [code[i]!, code[i + 1]!, code[i + 2], code[i + 3]];
    if (a.kind === "id" && DECLARATIONS.has(a.text) && b.kind === "id") {
      if (GODOT_NAMES.has(b.text) && !OVERRIDABLE.has(b.text)) return `declares ${b.text}`;
    }
    if (a.text === "static" && b.text === "var") return "declares a static var";
    if (a.text === "one_shot" && b.text === "=" && c?.text === "false") return "repeats a timer";
    if (
      a.kind === "num" && /^\d[\d_]*$/.test(a.text) &&
      BigInt(a.text.replaceAll("_", "")) > 2n ** 63n - 1n
    ) {
      return "writes an integer beyond 64 bits";
    }
    if (a.text === "set_loops" && b.text === "(" && c?.kind === "num" && d?.text === ")") {
      if (Number(c.text) > SPELLSCRIPT_API.limits.maxTweenLoops) return "loops a tween too often";
    }
  }
  const counts = new Map<string, number>();
  for (const token of code) {
    if (token.kind === "id" && FRESH.test(token.text)) {
      counts.set(token.text, (counts.get(token.text) ?? 0) + 1);
    }
  }
  for (const [name, count] of counts) {
    if (count !== 1) continue;
    const at = code.findIndex((t) => t.text === name);
    const previous = code[at - 1]?.text ?? "";
    if (!DECLARING.has(previous)) return `uses the undeclared ${name} after "${previous}"`;
  }
  return null;
}

/** Names and tokens mutations draw from: the corpus's own, the API's, and hostile ones. */
function pools(sources: readonly string[]) {
  const identifiers = new Set<string>();
  for (const source of sources) {
    for (const token of tokenize(source)) if (token.kind === "id") identifiers.add(token.text);
  }
  const hostile = [
    ...SPELLSCRIPT_API.forbidden.map((f) => f.name),
    ..."while super class_name breakpoint class signal self static await match when in is as not"
      .split(" "),
    "get_tree",
    "get",
    "set",
    "call",
    "connect",
    "\u041eS",
    "script",
  ];
  const snippets = [
    "$",
    "%",
    "@tool",
    "@export",
    "@onready",
    '^"/root"',
    '"script"',
    "1 << 30",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ":",
    ".",
    ",",
    "=",
    "+=",
    "->",
    "\\",
    "\n",
    "\t",
    "func",
    "return",
    "lambda",
    "func(): pass",
    "range(1000000)",
    "[] + ",
    ".append(",
    "static var",
    "one_shot = false",
    "9223372036854775808",
    "set_loops(100000)",
    "func typeof",
    "var var_to_str",
    "const Node3D",
  ];
  return { identifiers: [...identifiers], hostile, snippets };
}

function mutate(
  source: string,
  rng: () => number,
  pool: ReturnType<typeof pools>,
  fresh: () => string,
): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
  const tokens = tokenize(source);
  const roll = rng();
  const edits = roll < 0.7 ? 1 : roll < 0.9 ? 2 : 3;
  let lines = source.split("\n");
  let current = tokens;
  for (let e = 0; e < edits; e++) {
    const code = current.map((t, i) => [t, i] as const).filter(([t]) =>
      t.kind !== "ws" && t.kind !== "nl"
    );
    if (code.length === 0) break;
    const [token, i] = pick(code);
    switch (Math.floor(rng() * 9)) {
      case 0: // delete a token
        current = current.toSpliced(i, 1);
        break;
      case 1: // duplicate a token
        current = current.toSpliced(i, 0, { ...token });
        break;
      case 2: { // swap with the next code token
        const next = code.find(([, j]) => j > i);
        if (next) {
          current = [...current];
          current[i] = next[0];
          current[next[1]] = token;
        }
        break;
      }
      case 3: // replace an identifier with one from the corpus
        current = current.toSpliced(i, 1, { kind: "id", text: pick(pool.identifiers) });
        break;
      case 4: // replace an identifier with a hostile one
        current = current.toSpliced(i, 1, { kind: "id", text: pick(pool.hostile) });
        break;
      case 5: // replace an identifier with a fresh, undeclared name
        if (token.kind === "id") current = current.toSpliced(i, 1, { kind: "id", text: fresh() });
        break;
      case 6: // insert a snippet
        current = current.toSpliced(i, 0, { kind: "other", text: pick(pool.snippets) });
        break;
      default: { // line edits: duplicate, swap, re-indent
        lines = current.map((t) => t.text).join("").split("\n");
        const l = Math.floor(rng() * lines.length);
        const m = Math.floor(rng() * lines.length);
        const choice = rng();
        if (choice < 0.4) lines.splice(l, 0, lines[l]!);
        else if (choice < 0.7) [lines[l], lines[m]] = [lines[m]!, lines[l]!];
        else lines[l] = rng() < 0.5 ? "\t" + lines[l] : lines[l]!.replace(/^\t/, "");
        current = tokenize(lines.join("\n"));
      }
    }
  }
  return current.map((t) => t.text).join("");
}

Deno.test(`mutation: ${MUTANTS} seeded mutants never crash the verifier or slip past the oracle`, () => {
  const legit = corpus("legit").map((s) => s.source);
  const bypass = corpus("bypass").map((s) => s.source);
  const pool = pools([...legit, ...bypass]);
  const rng = random(SEED);
  let freshCount = 0;
  const fresh = () => `zqfresh${freshCount++}`;
  const stats = { accepted: 0, refused: 0, claimed: 0 };
  for (let n = 0; n < MUTANTS; n++) {
    // Mostly legit spells, whose mutants are often still valid; bypass ones keep their attacks.
    const from = rng() < 0.75 ? legit : bypass;
    const mutant = mutate(from[Math.floor(rng() * from.length)]!, rng, pool, fresh);
    let report: ReturnType<typeof validateSpellScript>;
    try {
      report = validateSpellScript(mutant);
    } catch (error) {
      assert.fail(`mutant ${n} threw ${error}:\n${mutant}`);
    }
    if (n % 8 === 0) {
      assert.deepEqual(validateSpellScript(mutant), report, `mutant ${n} is not deterministic`);
    }
    if (report.ok) {
      stats.accepted++;
      assert.ok(Array.isArray(report.capabilities));
    } else {
      stats.refused++;
      assert.ok(report.violations.length > 0, `mutant ${n}: refused without a reason`);
      for (const v of report.violations) {
        assert.ok(v.line >= 1 && v.col >= 1 && v.message.length > 0, JSON.stringify(v));
      }
    }
    const claim = mustRefuse(tokenize(mutant));
    if (claim) {
      stats.claimed++;
      assert.equal(report.ok, false, `mutant ${n} ${claim} but was accepted:\n${mutant}`);
    }
  }
  // The oracle and the verifier both have work to do: mutants of each verdict, and claims.
  assert.ok(stats.accepted > MUTANTS / 20, JSON.stringify(stats));
  // (About a quarter of the mutants carry a claim; the exact share moves with the corpora.)
  assert.ok(stats.claimed > MUTANTS / 5, JSON.stringify(stats));
  // deno-lint-ignore no-console -- the figures the closing note reports
  console.log(`mutation: ${JSON.stringify(stats)}`);
});
