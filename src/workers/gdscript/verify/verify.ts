/**
 * The SpellScript verifier over a parsed script: bind names, infer types, check every use against
 * the API, then solve the three whole-spell properties (no recursion, no exploding sizes, no loop
 * that feeds itself) and the capabilities the server allows.
 *
 * @module
 */

import type { Capability } from "../api/types.ts";
import type { Script, Span } from "../parser/ast.ts";
import { bind } from "./binder.ts";
import { Budget } from "./budget.ts";
import { CallableFlows, CallGraph } from "./calls.ts";
import { Checker, programSource, sourceOf, type Violation } from "./checker.ts";
import { tooDeep } from "./depth.ts";
import { Growth } from "./growth.ts";
import { checkStructure } from "./structure.ts";
import { Typer } from "./typer.ts";
import { API } from "./types.ts";

export type { Violation };

export interface VerifyOptions {
  /** Capabilities this server allows (default: all). */
  readonly capabilities?: readonly Capability[];
  /** Most work (loop iterations, calls) one run of an entry point may set in motion (default: the API's). */
  readonly maxIterations?: number;
}

/** The verdict: the capabilities used (sorted), or every violation in source order. */
export type VerifyResult =
  | { readonly ok: true; readonly capabilities: Capability[] }
  | { readonly ok: false; readonly violations: Violation[] };

export function verifySpell(
  script: Script,
  source: string,
  options: VerifyOptions = {},
): VerifyResult {
  // First, before anything recurses on the tree.
  const deep = tooDeep(script);
  if (deep) {
    return {
      ok: false,
      violations: [{ line: deep.at.line, col: deep.at.col, message: deep.message }],
    };
  }
  const growth = new Growth();
  const flows = new CallableFlows();
  const graph = new CallGraph();
  const budget = new Budget(growth, graph.names);
  const typer = new Typer();
  const program = bind(script, { growth, flows, graph }, (e) => typer.typeOf(e));
  budget.root(program.initializers.id, script.body[0] ?? script, "the member initializers");
  programSource.set(program, source);
  typer.program = program;
  typer.solve();
  const maxIterations = options.maxIterations ?? API.api.limits.maxIterations;
  const checker = new Checker(program, typer, { growth, flows, graph, budget }, maxIterations);
  checkStructure(script, program, checker);
  checker.finish();
  growth.expandWholes();
  const cycles = graph.cycles();
  for (const problem of cycles) checker.report(problem.at, problem.message);
  const calls = (fn: number) => graph.calls(fn);
  const text = (node: Span) => sourceOf(program, node);
  for (const problem of growth.problems(calls, graph.size, text)) {
    checker.report(problem.at, problem.message);
  }
  // The budget counts what everything else allows: only for a spell nothing else refuses (its
  // findings would repeat, less precisely, what was already said).
  if (checker.violations.length === 0) {
    const limits = API.api.limits;
    const budgetLimits = {
      maxWork: maxIterations,
      charsPerWork: limits.charsPerWork,
      maxValueSize: limits.maxValueSize,
      maxGrowthPerRun: limits.maxGrowthPerRun,
      maxObjects: limits.maxObjectsPerRun,
      maxPrints: limits.maxPrintsPerRun,
      maxPrintChars: limits.maxPrintChars,
      maxPrintedPerRun: limits.maxPrintedPerRun,
      maxObjectsPerFrame: limits.maxObjectsPerFrame,
      maxPrintsPerFrame: limits.maxPrintsPerFrame,
      maxPrintedPerFrame: limits.maxPrintedPerFrame,
    };
    for (const problem of budget.problems(budgetLimits, text)) {
      checker.report(problem.at, problem.message);
    }
  }
  const allowed = new Set(options.capabilities ?? API.api.capabilities.map((c) => c.name));
  for (const [capability, at] of checker.capabilities) {
    if (!allowed.has(capability)) {
      checker.report(
        at,
        `this spell needs the capability "${capability}", which this server does not allow ` +
          `(SPELL_CAPABILITIES)`,
      );
    }
  }
  if (checker.violations.length > 0) return { ok: false, violations: sorted(checker.violations) };
  return { ok: true, capabilities: [...checker.capabilities.keys()].sort() };
}

/** Source order, each distinct violation once. */
function sorted(violations: readonly Violation[]): Violation[] {
  const seen = new Set<string>();
  return [...violations]
    .sort((a, b) => a.line - b.line || a.col - b.col)
    .filter((v) => {
      const key = `${v.line}:${v.col}:${v.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}
