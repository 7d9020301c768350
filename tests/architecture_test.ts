/**
 * The dependency rule (ARCHITECTURE.md): `src/core/` imports only `src/core/` and `src/protocol/`,
 * and reaches no platform API: no `node:`/`npm:` module, no `Deno.*`, no timer or
 * `performance.now()` (time goes through the Clock port). Adapters depend on the core, never the
 * other way, so a new store or bus is added without editing a file in `src/core/`. Unit tests beside
 * the code (`*_test.ts`) may use the in-memory adapters and the fake clock, so they are exempt.
 * @module
 */
import assert from "node:assert/strict";
import { dirname, join, relative, resolve } from "node:path";

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), "..");
const CORE = join(ROOT, "src/core");
const ALLOWED_DIRS = [join(ROOT, "src/core"), join(ROOT, "src/protocol")];

/** Platform APIs the core must reach only through its ports. */
const FORBIDDEN_CODE: [RegExp, string][] = [
  [/\bDeno\s*\./, "Deno.*"],
  [/\bperformance\s*\./, "performance.*"],
  [/\b(setTimeout|setInterval|setImmediate|clearTimeout|clearInterval)\b/, "a platform timer"],
  [/\bprocess\s*\./, "process.*"],
  [/\brequire\s*\(/, "require()"],
];

/** What is wrong with one core file, given its path and source; [] when it follows the rule. */
export function violations(path: string, source: string): string[] {
  const problems: string[] = [];
  const specifiers = [
    ...source.matchAll(/\b(?:import|export)\b[^;'"`]*?\bfrom\s*["']([^"']+)["']/g),
    ...source.matchAll(/\bimport\s*["']([^"']+)["']/g),
    ...source.matchAll(/\bimport\s*\(\s*["']([^"']+)["']\s*\)/g),
  ].map((match) => match[1]!);
  for (const specifier of specifiers) {
    if (!specifier.startsWith("./") && !specifier.startsWith("../")) {
      problems.push(`imports "${specifier}" (only core and protocol modules, by relative path)`);
      continue;
    }
    const target = resolve(dirname(path), specifier);
    if (!ALLOWED_DIRS.some((dir) => target.startsWith(dir + "/"))) {
      problems.push(`imports ${relative(ROOT, target)} (outside src/core and src/protocol)`);
    } else if (/_test\.ts$/.test(target)) {
      problems.push(`imports the test ${relative(ROOT, target)}`);
    }
  }
  const code = codeOnly(source);
  for (const [pattern, what] of FORBIDDEN_CODE) {
    if (pattern.test(code)) problems.push(`uses ${what} (go through a port: Clock, a store…)`);
  }
  return problems;
}

/** The source without comments and string contents (template expressions are kept). */
function codeOnly(source: string): string {
  let out = "";
  let i = 0;
  while (i < source.length) {
    const char = source[i]!;
    const next = source[i + 1];
    if (char === "/" && next === "/") {
      while (i < source.length && source[i] !== "\n") i++;
    } else if (char === "/" && next === "*") {
      const end = source.indexOf("*/", i + 2);
      i = end < 0 ? source.length : end + 2;
    } else if (char === '"' || char === "'") {
      i++;
      while (i < source.length && source[i] !== char && source[i] !== "\n") {
        i += source[i] === "\\" ? 2 : 1;
      }
      i++;
      out += '""';
    } else if (char === "`") {
      i++;
      while (i < source.length && source[i] !== "`") {
        if (source[i] === "\\") i += 2;
        else if (source[i] === "$" && source[i + 1] === "{") {
          const end = source.indexOf("}", i);
          out += " " + source.slice(i + 2, end) + " ";
          i = end + 1;
        } else i++;
      }
      i++;
      out += '""';
    } else {
      out += char;
      i++;
    }
  }
  return out;
}

async function* coreFiles(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) yield* coreFiles(path);
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith("_test.ts")) yield path;
  }
}

Deno.test("architecture: src/core imports only core and protocol modules and no platform API", async () => {
  const problems: string[] = [];
  let files = 0;
  for await (const path of coreFiles(CORE)) {
    files++;
    for (const problem of violations(path, await Deno.readTextFile(path))) {
      problems.push(`${relative(ROOT, path)}: ${problem}`);
    }
  }
  assert.ok(files > 30, `only ${files} core files found`);
  assert.deepEqual(problems, []);
});

Deno.test("architecture: the rule catches what it is for", () => {
  const at = join(CORE, "world/example.ts");
  const bad = [
    `import { setImmediate } from "node:timers";`,
    `import type { Database } from "../../storage/sqlite/db.ts";`,
    `import { Server } from "socket.io";`,
    `export { thing } from "../../transport/server.ts";`,
    `const started = performance.now();`,
    `await Deno.readFile("x");`,
    `setTimeout(() => {}, 10);`,
    `const m = await import("../../bus/local_bus.ts");`,
  ];
  for (const line of bad) {
    assert.ok(violations(at, line).length >= 1, `not caught: ${line}`);
  }
  const fine = [
    `import type { Clock } from "../ports/clock.ts";`,
    `import { ErrorCode } from "../../protocol/mod.ts";`,
    `// setTimeout is not used here; Deno.serve neither`,
    `const text = "performance.now() in a string";`,
    `await clock.sleep(5); crypto.getRandomValues(new Uint8Array(4));`,
  ];
  for (const line of fine) assert.deepEqual(violations(at, line), [], line);
});
