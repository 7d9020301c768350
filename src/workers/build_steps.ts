import type { BuildOutcome, BuildProgress, BuildTask } from "../core/build/job.ts";
import { resolveMetadata } from "../core/spell/metadata.ts";
import { ENTRYPOINT, type FileInfo, ICON_PATH } from "../core/spell/manifest.ts";
import { createManifest } from "./manifest.ts";
import { type Capability, describeViolations, validateSpellScript } from "./gdscript/mod.ts";
import { PLACEHOLDER_ICON } from "./placeholder_icon.ts";
import { stubSpell } from "./stub_spell.ts";

export interface BuildDeps {
  /** Stores the package's files (all or none reach a revision), in order. */
  storeBlobs(files: readonly Uint8Array[]): Promise<{ hash: string; size: number }[]>;
  onProgress(progress: BuildProgress): void;
}

const encoder = new TextEncoder();

/**
 * One build, emitting the original's progress sequence up to 90 % (original-system §7.2; the
 * 95 % and 100 % events follow once the main isolate has committed the revision). Blobs are written
 * only after validation passed, so a failed build stores nothing.
 */
export async function runBuild(task: BuildTask, deps: BuildDeps): Promise<BuildOutcome> {
  const step = (stage: string, pct: number, message: string) =>
    deps.onProgress({ stage, pct, message });
  step("prepare", 0, "Starting build...");
  step("prepare", 5, "Preparing build environment...");
  step("prepare", 15, "Build environment ready");
  step("assemble_package", 20, "Assembling package files...");
  step("assemble_package", 30, `Created revision ${task.revisionId}`);
  const source = task.request.code ?? stubSpell(task.spellId);
  const code = encoder.encode(source);
  step("assemble_package", 45, "Wrote spell script");
  const icon = PLACEHOLDER_ICON;
  step("assemble_package", 55, "Wrote asset files");

  step("validate", 60, "Validating spell interface...");
  if (code.length > task.maxCodeBytes) {
    return {
      ok: false,
      reason: `code/spell.gd is ${code.length} bytes; the limit is ${task.maxCodeBytes}`,
    };
  }
  const report = validateSpellScript(source, {
    capabilities: task.spell.capabilities as readonly Capability[],
    maxIterations: task.spell.maxIterations,
  });
  if (!report.ok) return { ok: false, reason: describeViolations(report.violations) };
  step("validate", 75, "Validation passed");

  step("finalize", 80, "Computing file hashes...");
  const [codeBlob, iconBlob] = await deps.storeBlobs([code, icon]);
  const codeInfo: FileInfo = { path: ENTRYPOINT, hash: codeBlob!.hash, size: codeBlob!.size };
  const iconInfo: FileInfo = { path: ICON_PATH, hash: iconBlob!.hash, size: iconBlob!.size };
  step("finalize", 90, "Writing manifest...");
  const manifest = createManifest({
    spellId: task.spellId,
    revisionId: task.revisionId,
    version: task.version,
    createdAt: task.createdAt,
    code: [codeInfo],
    assets: [iconInfo],
    metadata: resolveMetadata(task.spellId, task.request.prompt, task.request.metadata),
    capabilities: report.capabilities,
  });
  return { ok: true, manifest };
}
