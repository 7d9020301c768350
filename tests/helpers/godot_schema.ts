/**
 * What the unmodified Godot client reads from each server message, and as which GDScript type
 * (original-system §5.3). A null or wrong type in one of these fields aborts the client's handler,
 * so the Godot-like test client fails the test on any of them.
 */
type FieldType = "string" | "number" | "int" | "object" | "array";
type Schema = Record<string, FieldType>;

const WORLD: Schema = { name: "string", player_count: "int", world_id: "string" };
const OP: Schema = { op: "string", center: "object", radius: "number" };

export const GODOT_READS: Record<string, Schema> = {
  "world.list_result": { worlds: "array" },
  "world.list_updated": { worlds: "array" },
  "world.created": { world: "object" },
  "world.joined": { world_id: "string", world: "object" },
  "world.left": { left_world_id: "string" },
  sync_ops: { ops: "array" },
  apply_op: { op: "object" },
  spell_rejected: { error: "string" },
  world_cleared: { world_id: "string" },
  pong: { world_id: "string", clients: "int" },
  "job.progress": { job_id: "string", stage: "string", pct: "number", message: "string" },
  "spell.build_started": { job_id: "string", spell_id: "string" },
  "spell.active_update": {
    spell_id: "string",
    revision_id: "string",
    channel: "string",
    manifest: "object",
  },
  "spell.revision_ready": { spell_id: "string", revision_id: "string", manifest: "object" },
  "spell.cast_event": {
    spell_id: "string",
    revision_id: "string",
    caster_id: "string",
    cast_params: "object",
    seed: "int",
  },
  "content.file": { spell_id: "string", revision_id: "string", path: "string", content: "string" },
  "content.manifest": { spell_id: "string", revision_id: "string", manifest: "object" },
  error: { message: "string" },
};

function typeOk(value: unknown, type: FieldType): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "int":
      return Number.isInteger(value);
    case "object":
      return typeof value === "object" && value !== null && !Array.isArray(value);
    case "array":
      return Array.isArray(value);
  }
}

function checkSchema(
  where: string,
  value: Record<string, unknown>,
  schema: Schema,
  problems: string[],
): void {
  for (const [key, type] of Object.entries(schema)) {
    if (!typeOk(value[key], type)) {
      problems.push(`${where}.${key} should be ${type}, got ${JSON.stringify(value[key])}`);
    }
  }
}

/** Problems with one decoded message, as the Godot client would meet them; [] when it is fine. */
export function godotProblems(message: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const type = message.type as string;
  const schema = GODOT_READS[type];
  if (schema) checkSchema(type, message, schema, problems);
  const worlds = type === "world.list_result" || type === "world.list_updated"
    ? message.worlds
    : undefined;
  if (Array.isArray(worlds)) {
    worlds.forEach((w, i) => checkSchema(`${type}.worlds[${i}]`, w, WORLD, problems));
  }
  if (type === "world.created" || type === "world.joined") {
    checkSchema(`${type}.world`, message.world as Record<string, unknown>, WORLD, problems);
  }
  const ops = type === "sync_ops" ? message.ops : type === "apply_op" ? [message.op] : undefined;
  if (Array.isArray(ops)) {
    ops.forEach((op, i) => {
      checkSchema(`${type}.ops[${i}]`, op, OP, problems);
      const center = (op as Record<string, unknown>).center as Record<string, unknown> | undefined;
      if (center) {
        checkSchema(
          `${type}.ops[${i}].center`,
          center,
          { x: "number", y: "number", z: "number" },
          problems,
        );
      }
      if ((op as Record<string, unknown>).op === "add_sphere") {
        checkSchema(`${type}.ops[${i}]`, op, { material_id: "int" }, problems);
      }
    });
  }
  if (type === "spell.cast_event" && typeof message.cast_params === "object") {
    // SpellContext.init_from_cast_event: target_position read as {x,y,z} numbers, the entity id
    // assigned to a String, mana_budget passed to float().
    const params = (message.cast_params ?? {}) as Record<string, unknown>;
    if ("target_position" in params) {
      const position = params.target_position as Record<string, unknown>;
      if (typeof position !== "object" || position === null || Array.isArray(position)) {
        problems.push(`${type}.cast_params.target_position should be object`);
      } else {
        checkSchema(
          `${type}.cast_params.target_position`,
          position,
          { x: "number", y: "number", z: "number" },
          problems,
        );
      }
    }
    if ("target_entity_id" in params) {
      checkSchema(`${type}.cast_params`, params, { target_entity_id: "string" }, problems);
    }
    if ("mana_budget" in params) {
      checkSchema(`${type}.cast_params`, params, { mana_budget: "number" }, problems);
    }
  }
  // The per-world sequence numbers are extra keys the unmodified client ignores; when present they
  // are whole numbers (a modified client orders and dedupes by them).
  const SEQ_FIELDS: Record<string, string[]> = {
    apply_op: ["seq"],
    world_cleared: ["seq"],
    "world.joined": ["seq"],
    sync_ops: ["first_seq", "last_seq"],
  };
  for (const field of SEQ_FIELDS[type] ?? []) {
    if (field in message) checkSchema(type, message, { [field]: "int" }, problems);
  }
  if (type === "job.progress") {
    if ("revision_id" in message) checkSchema(type, message, { revision_id: "string" }, problems);
    if ("manifest" in message) checkSchema(type, message, { manifest: "object" }, problems);
  }
  return problems;
}
