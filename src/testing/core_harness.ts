import { LocalBus } from "../bus/local_bus.ts";
import { LocalPresence } from "../bus/local_presence.ts";
import { BuildService } from "../core/build/build_service.ts";
import type { BuildRunner } from "../core/build/job.ts";
import {
  Dispatcher,
  type DispatcherOptions,
  eventTable,
  type HandlerTable,
} from "../core/dispatcher.ts";
import type { StablePublish } from "../core/identity/policy.ts";
import type { Limits } from "../core/limits.ts";
import { LocalFanout } from "../core/local_fanout.ts";
import type { Stores, UnitOfWork } from "../core/ports/unit_of_work.ts";
import type { StorageGate } from "../core/quota/storage_gate.ts";
import { Rooms } from "../core/rooms.ts";
import { ContentService } from "../core/spell/content_service.ts";
import { SpellService } from "../core/spell/spell_service.ts";
import { WorldService } from "../core/world/world_service.ts";
import { DEFAULT_CONFIG } from "../config.ts";
import { createLogger, type Logger } from "../log.ts";
import { MemoryBlobStore } from "../storage/memory/memory_blob_store.ts";
import { memoryStores } from "../storage/memory/memory_stores.ts";
import { FakeClock } from "./fake_clock.ts";
import { FakeSession } from "./fake_session.ts";

/** A build runner that never builds: every build waits until the test settles it. */
export class ManualRunner implements BuildRunner {
  readonly started: {
    task: Parameters<BuildRunner["run"]>[0];
    progress: Parameters<BuildRunner["run"]>[1];
    finish: (outcome: Awaited<ReturnType<BuildRunner["run"]>>) => void;
  }[] = [];

  run(...[task, progress]: Parameters<BuildRunner["run"]>): ReturnType<BuildRunner["run"]> {
    return new Promise((finish) => this.started.push({ task, progress, finish }));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

export interface CoreOptions {
  limits?: Partial<Limits>;
  quota?: (stores: Stores, unitOfWork: UnitOfWork) => StorageGate;
  handlers?: (table: HandlerTable) => HandlerTable;
  reads?: Partial<DispatcherOptions["reads"]>;
  stablePublish?: StablePublish;
}

/**
 * The whole core on in-memory adapters and a fake clock, as the composition root wires it for
 * production (minus transports, SQLite and Workers): unit tests drive it with FakeSessions, in
 * milliseconds.
 */
export function startCore(options: CoreOptions = {}) {
  const clock = new FakeClock();
  const limits: Limits = { ...DEFAULT_CONFIG.limits, ...options.limits };
  const { stores, unitOfWork } = memoryStores();
  const blobs = new MemoryBlobStore();
  const logs: Record<string, unknown>[] = [];
  const log: Logger = createLogger({
    level: "debug",
    write: (line) => logs.push(JSON.parse(line)),
  });
  const presence = new LocalPresence();
  const rooms = new Rooms({ presence });
  const fanout = new LocalFanout({ rooms });
  const bus = new LocalBus(fanout);
  const quota = options.quota?.(stores, unitOfWork);
  const spells = new SpellService({
    stores,
    clock,
    limits,
    ...(quota ? { quota } : {}),
    unitOfWork,
    ...(options.stablePublish ? { stablePublish: options.stablePublish } : {}),
  });
  const content = new ContentService({
    spells: stores.spells,
    blobs,
    access: (principal, spellId, revisionId) => spells.deliverable(principal, spellId, revisionId),
  });
  const runner = new ManualRunner();
  const builds = new BuildService({
    stores,
    unitOfWork,
    runner,
    bus,
    clock,
    concurrency: 2,
    limits,
    capabilities: ["vfx"],
    log,
    ...(quota ? { quota } : {}),
  });
  const worlds = new WorldService({
    stores,
    bus,
    presence,
    clock,
    log,
    limits,
    joinAnnouncements: (worldId) => spells.joinAnnouncements(worldId),
    ...(quota ? { quota } : {}),
  });
  const table = eventTable({ worlds, spells, content, builds });
  const dispatcher = new Dispatcher({
    rooms,
    fanout,
    bus,
    handlers: options.handlers ? options.handlers(table) : table,
    clock,
    rate: { perSecond: limits.rateLimitPerSecond, burst: limits.rateLimitBurst },
    reads: {
      queueMax: limits.readQueueMax,
      highWater: 1024 * 1024,
      stallMs: limits.readerStallMs,
      ...options.reads,
    },
    log,
  });
  /** A connected session (its close reaches the dispatcher, as a transport's does). */
  const connect = (sessionOptions?: ConstructorParameters<typeof FakeSession>[0]) => {
    const session = new FakeSession(sessionOptions);
    session.onClose = () => dispatcher.close(session);
    dispatcher.open(session, new Date(clock.now()).toISOString());
    session.clear();
    return session;
  };
  /** Sends one message and lets everything it caused settle (time does not move). */
  const send = async (session: FakeSession, event: string, payload: unknown = {}) => {
    dispatcher.dispatch(session, event, payload);
    await clock.advance(0);
  };
  return {
    clock,
    limits,
    stores,
    unitOfWork,
    blobs,
    logs,
    presence,
    rooms,
    fanout,
    bus,
    spells,
    content,
    builds,
    runner,
    worlds,
    dispatcher,
    connect,
    send,
    close: async () => {
      await builds.close(0);
      await worlds.close();
    },
  };
}

export type Core = ReturnType<typeof startCore>;
