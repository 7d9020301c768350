import type { Metrics } from "./metrics.ts";
import type { Cancel, Clock } from "./ports/clock.ts";
import type { Presence } from "./ports/presence.ts";

/** One thing the operator console is told, as it goes out on the admin event stream. */
export interface FeedEvent {
  event: "hello" | "stats" | "sample" | "world" | "job" | "changed";
  data: Record<string, unknown>;
}

/** The live numbers of the overview; the same sources as `/metrics`. */
export interface FeedStats {
  at: number;
  connections: Record<string, number>;
  players: number;
  worlds: number;
  build_queue: number;
  builds_per_min: number;
  builds_completed: number;
  builds_failed: number;
  /** Messages refused (every error code), and of them the server's own failures. */
  errors: number;
  internal_errors: number;
  messages_in: number;
  messages_out: number;
}

/** One point of the last hour's chart: counters are running totals, the client takes differences. */
export interface HistorySample {
  t: number;
  connections: number;
  players: number;
  messages_in: number;
  messages_out: number;
  errors: number;
  builds: number;
}

/** A build's step as the console shows it (the fields of `GET /api/admin/jobs`). */
export interface JobUpdate {
  job_id: string;
  spell_id: string;
  status: "pending" | "running" | "completed" | "failed";
  stage: string;
  progress_pct: number;
  message?: string;
  error_message?: string;
  revision_id?: string;
}

export interface AdminFeedOptions {
  clock: Clock;
  presence: Presence;
  metrics: Metrics;
  connections(): Record<string, number>;
  worlds(): Promise<number>;
  buildQueueDepth(): number;
}

/** How often the overview's numbers are compared and, if they changed, pushed. */
export const STATS_INTERVAL_MS = 1_000;
/** One chart point this often; an hour of them is kept. */
export const SAMPLE_INTERVAL_MS = 10_000;
const HISTORY_SAMPLES = 3_600_000 / SAMPLE_INTERVAL_MS + 1;
/** Hints that a list changed are sent at most this often per kind (a burst of creates is one). */
const HINT_COALESCE_MS = 250;
/** A world's player count is sent at most this often (a join storm is one event per world). */
const WORLD_COALESCE_MS = 100;

type Listener = (event: FeedEvent) => void;

/**
 * What the operator console sees live, pushed rather than polled: player counts as Presence
 * changes them (at most one event per world per 100 ms), builds step by step, the overview's numbers when they change (checked once a
 * second, and only while someone listens) and a point of history every 10 s (`sample`) for the
 * last hour's chart. Hints (`changed`) tell a console which list to fetch again; the lists themselves stay in
 * the operator API.
 */
export class AdminFeed {
  #options: AdminFeedOptions;
  #listeners = new Set<Listener>();
  #history: HistorySample[] = [];
  #lastStats = "";
  #pendingHints = new Set<string>();
  #hintTimer: Cancel | undefined;
  #pendingWorlds = new Set<string>();
  #worldTimer: Cancel | undefined;
  #timers: Cancel[];

  constructor(options: AdminFeedOptions) {
    this.#options = options;
    options.presence.watch((worldId) => this.#worldChanged(worldId));
    this.#sample();
    this.#timers = [
      options.clock.every(SAMPLE_INTERVAL_MS, () => this.#sample()),
      options.clock.every(STATS_INTERVAL_MS, () => {
        if (this.#listeners.size > 0) this.#pushStatsIfChanged().catch(() => {});
      }),
    ];
  }

  /** Listeners connected now. */
  get listeners(): number {
    return this.#listeners.size;
  }

  /**
   * Calls `listener` with a `hello` (the numbers now, the last hour and each populated world's
   * player count) and then every event;
   * returns the function that stops it.
   */
  async subscribe(listener: Listener): Promise<() => void> {
    const stats = await this.stats();
    const players = Object.fromEntries(this.#options.presence.counts());
    listener({ event: "hello", data: { stats, history: [...this.#history], players } });
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The overview's numbers now. */
  async stats(): Promise<FeedStats> {
    const { metrics, presence } = this.#options;
    let players = 0;
    for (const count of presence.counts().values()) players += count;
    return {
      at: this.#options.clock.now(),
      connections: this.#options.connections(),
      players,
      worlds: await this.#options.worlds(),
      build_queue: this.#options.buildQueueDepth(),
      builds_per_min: this.#buildsInLastMinute(),
      builds_completed: metrics.buildsByOutcome.get("completed") ?? 0,
      builds_failed: metrics.buildsByOutcome.get("failed") ?? 0,
      errors: sum(metrics.rejectedByCode),
      internal_errors: metrics.rejectedByCode.get("internal_error") ?? 0,
      messages_in: sum(metrics.receivedByType),
      messages_out: sum(metrics.sentByType),
    };
  }

  /** The last hour, oldest first. */
  history(): readonly HistorySample[] {
    return this.#history;
  }

  /** A build queued, stepped, finished or failed. */
  job(update: JobUpdate): void {
    this.#emit({ event: "job", data: { ...update } });
  }

  /** Tells consoles that a list (`worlds`, `spells`, `reports`, `connections`, `audit`) changed. */
  changed(what: string): void {
    if (this.#listeners.size === 0) return;
    this.#pendingHints.add(what);
    this.#hintTimer ??= this.#options.clock.after(HINT_COALESCE_MS, () => {
      this.#hintTimer = undefined;
      const lists = [...this.#pendingHints].sort();
      this.#pendingHints.clear();
      this.#emit({ event: "changed", data: { lists } });
    });
  }

  close(): void {
    for (const cancel of this.#timers) cancel();
    this.#hintTimer?.();
    this.#worldTimer?.();
    this.#listeners.clear();
  }

  /**
   * A world's count as it is after a burst: a hundred joins within the coalescing window are one
   * event with the final count, so a join storm costs a console little.
   */
  #worldChanged(worldId: string): void {
    if (this.#listeners.size === 0) return;
    this.#pendingWorlds.add(worldId);
    this.#worldTimer ??= this.#options.clock.after(WORLD_COALESCE_MS, () => {
      this.#worldTimer = undefined;
      const worlds = [...this.#pendingWorlds];
      this.#pendingWorlds.clear();
      for (const id of worlds) {
        this.#emit({
          event: "world",
          data: { world_id: id, player_count: this.#options.presence.count(id) },
        });
      }
    });
  }

  async #pushStatsIfChanged(): Promise<void> {
    const stats = await this.stats();
    const { at: _at, ...compared } = stats;
    const key = JSON.stringify(compared);
    if (key === this.#lastStats) return;
    this.#lastStats = key;
    this.#emit({ event: "stats", data: { ...stats } });
  }

  #sample(): void {
    const { metrics, presence } = this.#options;
    let players = 0;
    for (const count of presence.counts().values()) players += count;
    const sample: HistorySample = {
      t: this.#options.clock.now(),
      connections: presence.connections(),
      players,
      messages_in: sum(metrics.receivedByType),
      messages_out: sum(metrics.sentByType),
      errors: sum(metrics.rejectedByCode),
      builds: metrics.buildCount,
    };
    this.#history.push(sample);
    if (this.#history.length > HISTORY_SAMPLES) this.#history.shift();
    this.#emit({ event: "sample", data: { ...sample } });
  }

  /** Builds finished since the sample a minute ago (or the oldest, if the server is younger). */
  #buildsInLastMinute(): number {
    const now = this.#options.clock.now();
    const past = this.#history.find((sample) => sample.t >= now - 60_000) ?? this.#history[0];
    return this.#options.metrics.buildCount - (past?.builds ?? 0);
  }

  #emit(event: FeedEvent): void {
    for (const listener of this.#listeners) listener(event);
  }
}

function sum(map: ReadonlyMap<string, number>): number {
  let total = 0;
  for (const value of map.values()) total += value;
  return total;
}
