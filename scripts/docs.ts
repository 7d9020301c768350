// deno-lint-ignore-file no-console -- a build script reports to its terminal
/**
 * `deno task docs`: rewrites the generated parts of README.md (the options table) from the code,
 * then formats it. `tests/docs_test.ts` fails when the README's table differs, so it cannot drift.
 * @module
 */
import { optionsMarkdown } from "../src/config.ts";

const README = new URL("../README.md", import.meta.url);
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

if (import.meta.main) {
  await Deno.writeTextFile(README, renderReadme(await Deno.readTextFile(README)));
  await new Deno.Command(Deno.execPath(), { args: ["fmt", README.pathname] }).output();
  console.log("README.md options table regenerated");
}
