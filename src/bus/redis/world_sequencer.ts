import type { OutboundMessage } from "../../core/session.ts";

/** What a node reads from the system of record to fill a gap in a world's order. */
export interface GapSource {
  /** The world's last seq now (0 if none). */
  lastSeq(worldId: string): Promise<number>;
  /**
   * The messages with `afterSeq < seq <= upToSeq` (ops, and the clear if one took a seq there), in
   * seq order, at most `limit`; seqs a clear removed are simply absent.
   */
  messagesAfter(
    worldId: string,
    afterSeq: number,
    upToSeq: number,
    limit: number,
  ): Promise<OutboundMessage[]>;
}

interface WorldState {
  /** The next seq to deliver; undefined until the start seq is read. */
  next: number | undefined;
  /** Messages ahead of `next`, by seq. */
  ahead: Map<number, OutboundMessage>;
  gapTimer: ReturnType<typeof setTimeout> | undefined;
  filling: boolean;
  /** Resolves once `next` is known (a join's snapshot waits for it: see `started`). */
  ready: Promise<void>;
}

const FILL_LIMIT = 1000;

/**
 * Delivers each world's seq-carrying messages on this node exactly once and in seq order, whatever
 * order the bus brings them in (appends from several nodes commit in one order but are published by
 * each node on its own). A world is tracked while this node has members in it:
 *
 * - `track` (its first local member entered) reads the world's last seq L and starts delivery at
 *   L + 1; messages arriving meanwhile wait. A join's snapshot S is read after `started(world)`
 *   resolves, so L ≤ S: every op after S is delivered live, and those up to S that also come live
 *   are dropped by the joiner's release (Rooms).
 * - A message at `next` goes out and releases those waiting behind it; an older one (a duplicate)
 *   is dropped; a newer one waits. If it still waits after `gapMs`, the missing seqs are read from
 *   the system of record (GapSource) and delivered first.
 * - `catchUp` (the bus reconnected: messages may have been lost) reads every tracked world up to
 *   its last seq, so delivery resumes even if nothing new is published.
 */
export class WorldSequencer {
  #worlds = new Map<string, WorldState>();
  #source: GapSource;
  #deliver: (worldId: string, message: OutboundMessage) => void;
  #gapMs: number;
  #onError: (error: unknown) => void;

  constructor(options: {
    source: GapSource;
    deliver: (worldId: string, message: OutboundMessage) => void;
    gapMs: number;
    onError: (error: unknown) => void;
  }) {
    this.#source = options.source;
    this.#deliver = options.deliver;
    this.#gapMs = options.gapMs;
    this.#onError = options.onError;
  }

  /** Worlds tracked now. */
  get size(): number {
    return this.#worlds.size;
  }

  track(worldId: string): void {
    if (this.#worlds.has(worldId)) return;
    const state: WorldState = {
      next: undefined,
      ahead: new Map(),
      gapTimer: undefined,
      filling: false,
      ready: Promise.resolve(),
    };
    this.#worlds.set(worldId, state);
    state.ready = this.#source.lastSeq(worldId).then(
      (lastSeq) => {
        if (this.#worlds.get(worldId) !== state) return;
        state.next = lastSeq + 1;
        for (const seq of state.ahead.keys()) if (seq <= lastSeq) state.ahead.delete(seq);
        this.#drain(worldId, state);
      },
      (error) => {
        // Without a start we cannot order this world: forget it, so its next member tries again.
        if (this.#worlds.get(worldId) === state) this.#worlds.delete(worldId);
        this.#onError(error);
      },
    );
  }

  untrack(worldId: string): void {
    const state = this.#worlds.get(worldId);
    if (!state) return;
    if (state.gapTimer) clearTimeout(state.gapTimer);
    this.#worlds.delete(worldId);
  }

  /** Resolves once the world's start seq is known (at once if it is not tracked). */
  started(worldId: string): Promise<void> | undefined {
    return this.#worlds.get(worldId)?.ready;
  }

  /** A message with a seq for `worldId`, from this node or another. */
  accept(worldId: string, message: OutboundMessage): void {
    const state = this.#worlds.get(worldId);
    const seq = message.seq;
    if (!state || seq === undefined) return; // no member here: nobody to deliver to
    if (state.next !== undefined && seq < state.next) return; // delivered already
    if (seq === state.next) {
      this.#deliver(worldId, message);
      state.next++;
      this.#drain(worldId, state);
      return;
    }
    state.ahead.set(seq, message);
    this.#armGap(worldId, state);
  }

  /** Reads every tracked world up to its last seq (after the bus may have lost messages). */
  catchUp(): void {
    for (const [worldId, state] of this.#worlds) {
      if (state.next === undefined) continue;
      this.#fill(worldId, state, undefined);
    }
  }

  close(): void {
    for (const worldId of [...this.#worlds.keys()]) this.untrack(worldId);
  }

  #drain(worldId: string, state: WorldState): void {
    if (state.next === undefined) return;
    let message: OutboundMessage | undefined;
    while ((message = state.ahead.get(state.next)) !== undefined) {
      state.ahead.delete(state.next);
      this.#deliver(worldId, message);
      state.next++;
    }
    if (state.ahead.size === 0 && state.gapTimer) {
      clearTimeout(state.gapTimer);
      state.gapTimer = undefined;
    } else if (state.ahead.size > 0) {
      this.#armGap(worldId, state);
    }
  }

  #armGap(worldId: string, state: WorldState): void {
    if (state.gapTimer || state.filling || state.next === undefined) return;
    state.gapTimer = setTimeout(() => {
      state.gapTimer = undefined;
      if (this.#worlds.get(worldId) !== state || state.ahead.size === 0) return;
      this.#fill(worldId, state, Math.min(...state.ahead.keys()) - 1);
    }, this.#gapMs);
  }

  /** Delivers what the source has from `next` up to `upTo` (or the world's last seq). */
  #fill(worldId: string, state: WorldState, upTo: number | undefined): void {
    if (state.filling) return;
    state.filling = true;
    (async () => {
      const last = upTo ?? await this.#source.lastSeq(worldId);
      while (this.#worlds.get(worldId) === state && state.next! <= last) {
        const from = state.next! - 1;
        const messages = await this.#source.messagesAfter(worldId, from, last, FILL_LIMIT);
        if (this.#worlds.get(worldId) !== state) return;
        for (const message of messages) {
          if (message.seq! < state.next!) continue; // came live meanwhile
          // Seqs a clear removed are skipped: the clear (delivered in order) replaces them.
          for (let seq = state.next!; seq < message.seq!; seq++) state.ahead.delete(seq);
          state.ahead.delete(message.seq!);
          this.#deliver(worldId, message);
          state.next = message.seq! + 1;
        }
        const end = messages.length < FILL_LIMIT ? last : messages.at(-1)!.seq!;
        for (let seq = state.next!; seq <= end; seq++) state.ahead.delete(seq);
        state.next = Math.max(state.next!, end + 1);
        this.#drainOnly(worldId, state);
      }
    })().catch(this.#onError).finally(() => {
      state.filling = false;
      if (this.#worlds.get(worldId) === state) this.#drain(worldId, state);
    });
  }

  #drainOnly(worldId: string, state: WorldState): void {
    let message: OutboundMessage | undefined;
    while ((message = state.ahead.get(state.next!)) !== undefined) {
      state.ahead.delete(state.next!);
      this.#deliver(worldId, message);
      state.next!++;
    }
  }
}
