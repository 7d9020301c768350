// deno-lint-ignore-file no-console -- a build script reports to its terminal
/**
 * `deno task docs`: rewrites the generated parts of README.md (the options table) from the code and
 * docs/SPELLSCRIPT.md from the SpellScript API data, then formats them. `tests/docs_test.ts` fails
 * when either differs, so they cannot drift.
 * @module
 */
import { optionsMarkdown } from "../src/config.ts";
import { spellscriptMarkdown } from "./spellscript_docs.ts";

const README = new URL("../README.md", import.meta.url);
/** The spell authors' reference. */
export const SPELLSCRIPT_DOC = new URL("../docs/SPELLSCRIPT.md", import.meta.url);
const BLOCK = /<!-- options:begin -->([\s\S]*)<!-- options:end -->/;

export function renderReadme(text: string): string {
  return text.replace(BLOCK, `<!-- options:begin -->\n${optionsMarkdown()}\n<!-- options:end -->`);
}

/** The cells of the README's options table, whitespace-insensitive (deno fmt pads columns). */
export function optionsTableCells(text: string): string[][] {
  return cells(text.match(BLOCK)?.[1] ?? "");
}

/** The cells the code says the table should have. */
export function expectedOptionsCells(): string[][] {
  return cells(optionsMarkdown());
}

function cells(table: string): string[][] {
  return table.trim().split("\n")
    .filter((line) => line.startsWith("|") && !/^\|[\s|:-]+\|$/.test(line))
    .map((line) => line.slice(1, -1).split(/(?<!\\)\|/).map((cell) => cell.trim()));
}

/** docs/SPELLSCRIPT.md exactly as it should be: generated, then formatted as `deno fmt` does. */
export async function spellscriptDoc(): Promise<string> {
  const fmt = new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--ext=md", "-"],
    cwd: new URL("..", import.meta.url).pathname,
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const writer = fmt.stdin.getWriter();
  await writer.write(new TextEncoder().encode(spellscriptMarkdown()));
  await writer.close();
  const { code, stdout } = await fmt.output();
  if (code !== 0) throw new Error("deno fmt failed on the generated docs/SPELLSCRIPT.md");
  return new TextDecoder().decode(stdout);
}

if (import.meta.main) {
  await Deno.writeTextFile(README, renderReadme(await Deno.readTextFile(README)));
  await new Deno.Command(Deno.execPath(), { args: ["fmt", README.pathname] }).output();
  await Deno.writeTextFile(SPELLSCRIPT_DOC, await spellscriptDoc());
  console.log("README.md options table and docs/SPELLSCRIPT.md regenerated");
}
