/**
 * Every event name on the wire, exactly as the original server spelled them (original-system §3, §4.2).
 * On the raw WebSocket transport the name travels in the `type` field; on Socket.IO it is the event.
 */
export const ClientEvent = {
  WORLD_LIST: "world.list",
  WORLD_CREATE: "world.create",
  WORLD_JOIN: "world.join",
  WORLD_LEAVE: "world.leave",
  WORLD_GET: "world.get",
  SPELL_CREATE_DRAFT: "spell.create_draft",
  SPELL_START_BUILD: "spell.start_build",
  SPELL_PUBLISH: "spell.publish",
  SPELL_LIST: "spell.list",
  SPELL_GET_REVISIONS: "spell.get_revisions",
  SPELL_CAST_REQUEST: "spell.cast_request",
  SPELL_REPORT: "spell.report",
  CONTENT_GET_MANIFEST: "content.get_manifest",
  CONTENT_GET_FILE: "content.get_file",
  CONTENT_LIST_FILES: "content.list_files",
  REQUEST_SPELL: "request_spell",
  PING: "ping",
  CLEAR_WORLD: "clear_world",
} as const;

export type ClientEvent = typeof ClientEvent[keyof typeof ClientEvent];

export const ServerEvent = {
  CONNECTED: "connected",
  ERROR: "error",
  WORLD_LIST_RESULT: "world.list_result",
  WORLD_LIST_UPDATED: "world.list_updated",
  WORLD_CREATED: "world.created",
  WORLD_JOINED: "world.joined",
  WORLD_LEFT: "world.left",
  WORLD_INFO: "world.info",
  SYNC_OPS: "sync_ops",
  SYNC_COMPLETE: "sync_complete",
  APPLY_OP: "apply_op",
  SPELL_REJECTED: "spell_rejected",
  WORLD_CLEARED: "world_cleared",
  PONG: "pong",
  SPELL_DRAFT_CREATED: "spell.draft_created",
  SPELL_BUILD_STARTED: "spell.build_started",
  JOB_PROGRESS: "job.progress",
  SPELL_ACTIVE_UPDATE: "spell.active_update",
  SPELL_REVISION_READY: "spell.revision_ready",
  SPELL_LIST_RESULT: "spell.list_result",
  SPELL_REVISIONS_RESULT: "spell.revisions_result",
  SPELL_CAST_EVENT: "spell.cast_event",
  SPELL_CAST_REJECTED: "spell.cast_rejected",
  /** A revision was quarantined and its spell has no earlier good one (issue 15). */
  SPELL_REVOKED: "spell.revoked",
  /** An owner asked for stable where an operator must approve it (STABLE_PUBLISH=operator). */
  SPELL_PUBLISH_PENDING: "spell.publish_pending",
  SPELL_REPORT_RECEIVED: "spell.report_received",
  CONTENT_MANIFEST: "content.manifest",
  CONTENT_FILE: "content.file",
  CONTENT_FILES_LIST: "content.files_list",
} as const;

export type ServerEvent = typeof ServerEvent[keyof typeof ServerEvent];

/** A world as clients see it (original-system §2.1); `player_count` is live. */
export interface WorldView {
  world_id: string;
  name: string;
  description: string;
  created_by: string;
  player_count: number;
  created_at: string;
  updated_at: string;
}

export interface Vec3 {
  x: number;
  y: number;
  z: number;
}

/** A legacy voxel op, the same shape live (`apply_op`) and in replay (`sync_ops`). */
export type VoxelOp =
  | { op: "add_sphere"; center: Vec3; radius: number; material_id: number }
  | { op: "subtract_sphere"; center: Vec3; radius: number };

export type Payload = Record<string, unknown>;
