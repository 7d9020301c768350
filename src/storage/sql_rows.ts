/**
 * Rows as the SQL stores (SQLite and Postgres) read them, and how they become the views core sees.
 * Both databases keep the original's table shapes, so one mapping serves both.
 */
import type { JobView } from "../core/build/job.ts";
import type { WorldRecord } from "../core/ports/world_store.ts";
import type { Manifest, RevisionView, SpellView } from "../core/spell/manifest.ts";
import type { Vec3, VoxelOp } from "../protocol/mod.ts";

export interface SpellRow {
  spell_id: string;
  display_name: string | null;
  active_draft_rev: string | null;
  active_beta_rev: string | null;
  active_stable_rev: string | null;
  created_at: string;
  updated_at: string;
}

export interface RevisionRow {
  revision_id: string;
  spell_id: string;
  parent_revision_id: string | null;
  channel: string;
  version: number;
  manifest_json: string;
  created_at: string;
}

export interface WorldRow {
  world_id: string;
  name: string;
  description: string | null;
  created_by: string | null;
  owner_id: string;
  created_at: string;
  updated_at: string;
  last_active_at: string | null;
}

export interface JobRow {
  job_id: string;
  spell_id: string;
  status: string;
  stage: string | null;
  progress_pct: number | null;
  error_message: string | null;
  result_revision_id: string | null;
  created_at: string;
  updated_at: string;
}

export const SPELL_COLUMNS =
  "spell_id, display_name, active_draft_rev, active_beta_rev, active_stable_rev, created_at, updated_at";

// Clients type these fields as String: an absent revision is "" rather than null (contract §4.1).
export function spellView(row: SpellRow): SpellView {
  return {
    spell_id: row.spell_id,
    display_name: row.display_name ?? row.spell_id,
    active_draft_rev: row.active_draft_rev ?? "",
    active_beta_rev: row.active_beta_rev ?? "",
    active_stable_rev: row.active_stable_rev ?? "",
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export function revisionView(row: RevisionRow): RevisionView {
  return {
    revision_id: row.revision_id,
    spell_id: row.spell_id,
    parent_revision_id: row.parent_revision_id ?? "",
    channel: row.channel,
    version: Number(row.version),
    created_at: row.created_at,
    manifest: JSON.parse(row.manifest_json) as Manifest,
  };
}

export function worldRecord(row: WorldRow): WorldRecord {
  return {
    world_id: row.world_id,
    name: row.name,
    description: row.description ?? "",
    created_by: row.created_by ?? "",
    owner_id: row.owner_id,
    created_at: row.created_at,
    updated_at: row.updated_at,
    last_active_at: row.last_active_at ?? "",
  };
}

export function jobView(row: JobRow): JobView {
  return {
    job_id: row.job_id,
    spell_id: row.spell_id,
    status: row.status,
    stage: row.stage ?? "",
    progress_pct: Number(row.progress_pct ?? 0),
    error_message: row.error_message ?? "",
    result_revision_id: row.result_revision_id ?? "",
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/** `op_data` keeps the original's `{center, radius, material_id}` shape; `op_type` holds the op. */
export function encodeOpData(op: VoxelOp): string {
  return JSON.stringify(
    op.op === "add_sphere"
      ? { center: op.center, radius: op.radius, material_id: op.material_id }
      : { center: op.center, radius: op.radius },
  );
}

export function decodeOp(row: { op_type: string; op_data: string }): VoxelOp {
  const data = JSON.parse(row.op_data) as { center: Vec3; radius: number; material_id?: number };
  return row.op_type === "add_sphere"
    ? {
      op: "add_sphere",
      center: data.center,
      radius: data.radius,
      material_id: data.material_id ?? 1,
    }
    : { op: "subtract_sphere", center: data.center, radius: data.radius };
}
