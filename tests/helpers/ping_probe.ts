/** Requests to and replies from `ping_probe_worker.ts`. */
export type ProbeRequest =
  | { kind: "open"; url: string }
  | { kind: "start"; everyMs: number }
  | { kind: "stop"; waitMs: number };
export type ProbeReply =
  | { kind: "opened" }
  | { kind: "failed"; reason: string }
  | { kind: "stopped"; rtts: number[] };

export interface PingFigures {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

/**
 * Another player's view of the server during an attack: a raw client on its own thread pinging
 * every `everyMs` (see the worker). `start` before the attack, `stop` after it.
 */
export class PingProbe {
  #worker: Worker;
  #replies: ProbeReply[] = [];
  #waiting?: () => void;
  #failure?: string;

  private constructor() {
    this.#worker = new Worker(new URL("./ping_probe_worker.ts", import.meta.url), {
      type: "module",
    });
    this.#worker.onmessage = (event: MessageEvent<ProbeReply>) => {
      if (event.data.kind === "failed") this.#failure ??= event.data.reason;
      this.#replies.push(event.data);
      this.#waiting?.();
    };
  }

  static async open(url: string): Promise<PingProbe> {
    const probe = new PingProbe();
    probe.#worker.postMessage({ kind: "open", url } satisfies ProbeRequest);
    const first = await probe.#reply();
    if (first.kind !== "opened") {
      probe.close();
      throw new Error(`ping probe: ${first.kind === "failed" ? first.reason : first.kind}`);
    }
    return probe;
  }

  start(everyMs = 10): void {
    this.#worker.postMessage({ kind: "start", everyMs } satisfies ProbeRequest);
  }

  /** Stops pinging, waits up to `waitMs` for the answers still due, and sums up the round trips. */
  async stop(waitMs = 5000): Promise<PingFigures> {
    this.#worker.postMessage({ kind: "stop", waitMs } satisfies ProbeRequest);
    let reply = await this.#reply();
    while (reply.kind !== "stopped") reply = await this.#reply();
    if (this.#failure) throw new Error(`ping probe: ${this.#failure}`);
    const sorted = reply.rtts.toSorted((a, b) => a - b);
    const at = (q: number) =>
      sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
    return { count: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? 0 };
  }

  close(): void {
    this.#worker.terminate();
  }

  async #reply(): Promise<ProbeReply> {
    while (this.#replies.length === 0) {
      await new Promise<void>((resolve) => this.#waiting = resolve);
    }
    return this.#replies.shift()!;
  }
}
