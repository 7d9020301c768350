import { parseGdscript } from "./mod.ts";
import { realisticSpell } from "./testdata/realistic_spell.ts";

const spell48k = realisticSpell(48_000);
const spell8k = realisticSpell(8_000);

Deno.bench("parseGdscript: 48,000-byte realistic spell", { baseline: true }, () => {
  parseGdscript(spell48k);
});

Deno.bench("parseGdscript: 8,000-byte realistic spell", () => {
  parseGdscript(spell8k);
});

Deno.bench("parseGdscript: 10,000 nested parentheses (refused)", () => {
  parseGdscript(`var x = ${"(".repeat(10_000)}1${")".repeat(10_000)}\n`);
});
