import type { DispatchObserver } from "./dispatcher.ts";

/** Upper bounds (seconds) of the build-duration histogram buckets. */
const BUILD_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * In-process counters for `/metrics`. Label values come only from closed sets (known event names,
 * "unknown", error codes), so a client cannot blow up the series count.
 */
export class Metrics implements DispatchObserver {
  readonly receivedByType = new Map<string, number>();
  readonly sentByType = new Map<string, number>();
  readonly rejectedByCode = new Map<string, number>();
  readonly buildsByOutcome = new Map<string, number>();
  readonly buildBuckets = BUILD_BUCKETS.map(() => 0);
  bytesSent = 0;
  rawBytesReceived = 0;
  buildSecondsSum = 0;
  buildCount = 0;

  received(event: string): void {
    increment(this.receivedByType, event);
  }

  rejected(code: string): void {
    increment(this.rejectedByCode, code);
  }

  /** One message of `bytes` sent to `recipients` sessions. */
  sent(event: string, bytes: number, recipients: number): void {
    increment(this.sentByType, event, recipients);
    this.bytesSent += bytes * recipients;
  }

  receivedRawBytes(bytes: number): void {
    this.rawBytesReceived += bytes;
  }

  buildFinished(seconds: number, ok: boolean): void {
    increment(this.buildsByOutcome, ok ? "completed" : "failed");
    this.buildSecondsSum += seconds;
    this.buildCount++;
    BUILD_BUCKETS.forEach((bound, i) => {
      if (seconds <= bound) this.buildBuckets[i]!++;
    });
  }

  static readonly BUILD_BUCKETS = BUILD_BUCKETS;
}

function increment(map: Map<string, number>, key: string, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

/** Events within the last `windowMs` (builds per minute for the operator's overview). */
export class RecentCount {
  #windowMs: number;
  #times: number[] = [];

  constructor(windowMs: number) {
    this.#windowMs = windowMs;
  }

  /** One event at `now` (monotonic ms). */
  note(now: number): void {
    this.#times.push(now);
    this.#drop(now);
  }

  perMinute(now = this.#times.at(-1) ?? 0): number {
    this.#drop(now);
    return this.#times.length;
  }

  #drop(now: number): void {
    while (this.#times.length > 0 && this.#times[0]! <= now - this.#windowMs) this.#times.shift();
  }
}
