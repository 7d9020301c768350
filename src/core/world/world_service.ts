import type { Limits } from "../../config.ts";
import {
  codePointLength,
  ErrorCode,
  hasControlCharacters,
  optionalString,
  type Payload,
  ProtocolError,
  requiredString,
  ServerEvent,
  type WorldView,
} from "../../protocol/mod.ts";
import type { WorldRecord, WorldRepo } from "../../storage/world_repo.ts";
import type { Hub } from "../hub.ts";
import { clip, randomHex } from "../ids.ts";
import type { Clock } from "../rate_limiter.ts";
import type { Session } from "../session.ts";
import { chunkBySize, fitPrefix } from "./fit.ts";
import { parseVoxelRequest, rejected } from "./voxel_ops.ts";

export interface WorldServiceOptions {
  repo: WorldRepo;
  hub: Hub;
  clock: Clock;
  limits: Pick<
    Limits,
    "maxWorldNameChars" | "maxWorldDescriptionChars" | "maxOpsPerWorld" | "maxOutboundBytes"
  >;
  /** Runs after a join's sync (spells use it to tell late joiners what is castable). */
  afterJoin?: (session: Session, worldId: string) => void;
}

/** Worlds, membership and the legacy voxel-op log (original-system §3.2, §3.7). */
export class WorldService {
  #repo: WorldRepo;
  #hub: Hub;
  #clock: Clock;
  #limits: WorldServiceOptions["limits"];
  #afterJoin: WorldServiceOptions["afterJoin"];

  constructor(options: WorldServiceOptions) {
    this.#repo = options.repo;
    this.#hub = options.hub;
    this.#clock = options.clock;
    this.#limits = options.limits;
    this.#afterJoin = options.afterJoin;
  }

  list(session: Session): void {
    this.#hub.send(session, ServerEvent.WORLD_LIST_RESULT, { worlds: this.worldList() });
  }

  create(session: Session, payload: Payload): void {
    const name = (optionalString(payload, "name") ?? "").trim();
    if (name === "") throw new ProtocolError(ErrorCode.INVALID_PAYLOAD, "World name is required");
    const maxName = this.#limits.maxWorldNameChars;
    if (codePointLength(name) > maxName) {
      throw new ProtocolError(
        ErrorCode.TOO_LARGE,
        `World name must be ${maxName} characters or less`,
      );
    }
    if (hasControlCharacters(name)) {
      throw new ProtocolError(
        ErrorCode.INVALID_PAYLOAD,
        "World name must not contain control characters",
      );
    }
    const description = optionalString(payload, "description") ?? "";
    const maxDescription = this.#limits.maxWorldDescriptionChars;
    if (codePointLength(description) > maxDescription) {
      throw new ProtocolError(
        ErrorCode.TOO_LARGE,
        `World description must be ${maxDescription} characters or less`,
      );
    }

    const now = new Date(this.#clock.now()).toISOString();
    const record: WorldRecord = {
      world_id: `world_${randomHex(4)}`,
      name,
      description,
      created_by: session.id,
      created_at: now,
      updated_at: now,
    };
    this.#repo.create(record);
    this.#hub.send(session, ServerEvent.WORLD_CREATED, { world: this.#view(record) });
    this.#hub.toAll(ServerEvent.WORLD_LIST_UPDATED, { worlds: this.worldList() });
  }

  join(session: Session, payload: Payload): void {
    const world = this.#requireWorld(payload);
    this.#hub.join(session, world.world_id);
    this.#hub.send(session, ServerEvent.WORLD_JOINED, {
      world_id: world.world_id,
      world: this.#view(world),
    });
    this.#sendSync(session, world.world_id);
    this.#afterJoin?.(session, world.world_id);
  }

  leave(session: Session): void {
    // Godot assigns left_world_id to a String: "" rather than null when not in a world.
    const left = this.#hub.leave(session) ?? "";
    this.#hub.send(session, ServerEvent.WORLD_LEFT, { left_world_id: left });
  }

  get(session: Session, payload: Payload): void {
    this.#hub.send(session, ServerEvent.WORLD_INFO, {
      world: this.#view(this.#requireWorld(payload)),
    });
  }

  requestSpell(session: Session, payload: Payload): void {
    const worldId = this.#hub.worldOf(session);
    if (worldId === undefined) throw rejected(ErrorCode.NOT_IN_WORLD, "Must join a world first");
    const op = parseVoxelRequest(payload.spell);
    if (this.#repo.opCount(worldId) >= this.#limits.maxOpsPerWorld) {
      throw rejected(ErrorCode.TOO_LARGE, "World op log is full");
    }
    this.#repo.appendOps(worldId, [op], new Date(this.#clock.now()).toISOString());
    this.#hub.toWorld(worldId, ServerEvent.APPLY_OP, { op });
  }

  ping(session: Session): void {
    const worldId = this.#hub.worldOf(session);
    this.#hub.send(session, ServerEvent.PONG, {
      clients: this.#hub.connectionCount,
      world_id: worldId ?? "",
      ops: worldId === undefined ? 0 : this.#repo.opCount(worldId),
    });
  }

  clearWorld(session: Session): void {
    const worldId = this.#hub.worldOf(session);
    if (worldId === undefined) {
      throw new ProtocolError(ErrorCode.NOT_IN_WORLD, "Must join a world first");
    }
    const world = this.#repo.get(worldId);
    // Any member wiping everyone's terrain was a hole in the original (contract §4.13).
    if (world?.created_by !== session.id) {
      throw new ProtocolError(
        ErrorCode.FORBIDDEN,
        "Only the connection that created this world can clear it",
      );
    }
    this.#repo.clearOps(worldId);
    this.#hub.toWorld(worldId, ServerEvent.WORLD_CLEARED, { world_id: worldId });
  }

  /** All worlds, newest first, with live counts: the full list, for HTTP. */
  allWorlds(): WorldView[] {
    return this.#repo.list().map((record) => this.#view(record));
  }

  /** The newest worlds that fit in one frame (a Godot client cannot receive more than 64 KiB). */
  worldList(): WorldView[] {
    return fitPrefix(this.allWorlds(), this.#limits.maxOutboundBytes);
  }

  #sendSync(session: Session, worldId: string): void {
    const ops = this.#repo.listOps(worldId);
    if (ops.length === 0) {
      this.#hub.send(session, ServerEvent.SYNC_COMPLETE, { message: "World is empty" });
      return;
    }
    // The Godot client appends every sync_ops message, so a long log goes out in frame-sized chunks.
    const chunks = chunkBySize(ops, this.#limits.maxOutboundBytes);
    chunks.forEach((chunk, index) => {
      this.#hub.send(session, ServerEvent.SYNC_OPS, {
        ops: chunk,
        chunk_index: index,
        chunk_count: chunks.length,
      });
    });
  }

  #requireWorld(payload: Payload): WorldRecord {
    const worldId = requiredString(payload, "world_id", "world_id is required");
    const world = this.#repo.get(worldId);
    if (!world) {
      throw new ProtocolError(ErrorCode.WORLD_NOT_FOUND, `World ${clip(worldId)} not found`);
    }
    return world;
  }

  #view(record: WorldRecord): WorldView {
    return {
      world_id: record.world_id,
      name: record.name,
      description: record.description,
      created_by: record.created_by,
      player_count: this.#hub.playerCount(record.world_id),
      created_at: record.created_at,
      updated_at: record.updated_at,
    };
  }
}
