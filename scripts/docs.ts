// deno-lint-ignore-file no-console -- a build script reports to its terminal
/**
 * `deno task docs`: rewrites the generated parts of README.md (the options table) from the code.
 * `tests/docs_test.ts` fails when they differ, so the README cannot drift.
 * @module
 */
import { optionsMarkdown } from "../src/config.ts";

const README = new URL("../README.md", import.meta.url);

export function renderReadme(text: string): string {
  return text.replace(
    /<!-- options:begin -->[\s\S]*<!-- options:end -->/,
    `<!-- options:begin -->\n${optionsMarkdown()}\n<!-- options:end -->`,
  );
}

if (import.meta.main) {
  await Deno.writeTextFile(README, renderReadme(await Deno.readTextFile(README)));
  console.log("README.md options table regenerated");
}
