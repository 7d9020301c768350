/// <reference lib="dom" />
/**
 * What the event stream has said, kept for whichever view is showing: the overview's numbers, the
 * last hour, each world's player count and each job's last step. Views subscribe to hear of
 * changes; nothing here polls.
 * @module
 */
import type { StreamEvent } from "./api.ts";

export interface Stats {
  at: number;
  connections: Record<string, number>;
  players: number;
  worlds: number;
  build_queue: number;
  builds_per_min: number;
  builds_completed: number;
  builds_failed: number;
  errors: number;
  internal_errors?: number;
  messages_in: number;
  messages_out: number;
}

export interface Sample {
  t: number;
  connections: number;
  players: number;
  messages_in: number;
  messages_out: number;
  errors: number;
  builds: number;
}

export interface JobRow {
  job_id: string;
  spell_id: string;
  status: string;
  stage: string;
  progress_pct: number;
  message?: string;
  error_message?: string | null;
  requested_by?: string;
  created_at?: string;
  revision_id?: string;
  /** How many live steps this console saw for the job. */
  updates?: number;
}

type Listener = (event: StreamEvent) => void;

export class Live {
  stats: Stats | null = null;
  history: Sample[] = [];
  readonly players = new Map<string, number>();
  readonly jobs = new Map<string, JobRow>();
  /** World names as the last world listing said (connections and the overview show them). */
  readonly worldNames = new Map<string, unknown>();
  #listeners = new Set<Listener>();

  listen(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  receive(event: StreamEvent): void {
    const data = event.data;
    switch (event.event) {
      case "hello": {
        this.stats = data.stats as Stats;
        this.history = (data.history as Sample[]) ?? [];
        this.players.clear();
        for (const [worldId, count] of Object.entries(data.players ?? {})) {
          this.players.set(worldId, Number(count));
        }
        break;
      }
      case "sample": {
        this.history.push(data as unknown as Sample);
        while (this.history.length > 361) this.history.shift();
        break;
      }
      case "stats": {
        this.stats = data as unknown as Stats;
        break;
      }
      case "world": {
        const worldId = String(data.world_id);
        const count = Number(data.player_count);
        if (count > 0) this.players.set(worldId, count);
        else this.players.delete(worldId);
        break;
      }
      case "job": {
        const jobId = String(data.job_id);
        const previous = this.jobs.get(jobId);
        const update = data as unknown as JobRow;
        this.jobs.set(jobId, {
          ...previous,
          ...update,
          // A failure is reported at stage "error", 0 %: keep the step it got to.
          ...(update.status === "failed" && previous
            ? { stage: previous.stage, progress_pct: previous.progress_pct }
            : {}),
          created_at: previous?.created_at ?? new Date().toISOString(),
          updates: (previous?.updates ?? 0) + 1,
        });
        break;
      }
    }
    for (const listener of this.#listeners) listener(event);
  }

  /** Folds listed jobs into the live ones (a live step is newer than a listed row). */
  mergeJobs(rows: JobRow[]): void {
    for (const row of rows) {
      const live = this.jobs.get(row.job_id);
      this.jobs.set(row.job_id, live ? { ...row, ...live, created_at: row.created_at } : row);
    }
  }
}

export const live = new Live();
