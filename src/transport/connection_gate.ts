import { isIP } from "node:net";
import type { Clock } from "../core/ports/clock.ts";
import type { Logger } from "../log.ts";

/** A connection the gate let in; `release` frees its slots (safe to call more than once). */
export interface Ticket {
  readonly address: string;
  release(): void;
}

/** Why a connection was refused, with the HTTP status that says so. */
export interface Refusal {
  readonly status: 400 | 401 | 403 | 429 | 503;
  readonly reason: string;
}

export interface GateLimits {
  maxConnections: number;
  maxConnectionsPerAddress: number;
  connectRatePerAddress: number;
  connectBurstPerAddress: number;
}

interface AddressState {
  open: number;
  /** Token bucket of new connections: refills at the rate, up to the burst. */
  tokens: number;
  updatedAt: number;
  refusedSinceLog: number;
  loggedAt: number;
}

/** How often idle address entries are dropped, and how often refusals of one address are logged. */
const SWEEP_EVERY_MS = 10_000;
const REFUSAL_LOG_EVERY_MS = 10_000;

/**
 * Admission for every connection of both protocols, counted from its first request (the raw
 * upgrade, the engine.io handshake) until its socket is gone: the process cap, the open
 * connections of one client address, and how fast one address may open new ones. One client can
 * no longer take every slot, and players behind one NAT share a generous allowance.
 */
export class ConnectionGate {
  #limits: GateLimits;
  #clock: Pick<Clock, "now">;
  #log: Logger;
  #open = 0;
  #addresses = new Map<string, AddressState>();
  #sweptAt: number;

  constructor(limits: GateLimits, options: { clock: Pick<Clock, "now">; log: Logger }) {
    this.#limits = limits;
    this.#clock = options.clock;
    this.#log = options.log;
    this.#sweptAt = this.#clock.now();
  }

  /** Connections admitted and not yet released. */
  get openCount(): number {
    return this.#open;
  }

  /** Takes a slot for a connection from `address`, or says why not. */
  admit(address: string): Ticket | Refusal {
    const now = this.#clock.now();
    if (now - this.#sweptAt >= SWEEP_EVERY_MS) this.#sweep(now);
    const key = limitKey(address);
    let state = this.#addresses.get(key);
    if (!state) {
      state = {
        open: 0,
        tokens: this.#limits.connectBurstPerAddress,
        updatedAt: now,
        refusedSinceLog: 0,
        loggedAt: -Infinity,
      };
      this.#addresses.set(key, state);
    }
    this.#refill(state, now);
    const refusal = this.#open >= this.#limits.maxConnections
      ? FULL
      : state.open >= this.#limits.maxConnectionsPerAddress
      ? TOO_MANY
      : state.tokens < 1
      ? TOO_FAST
      : undefined;
    if (refusal) {
      this.#logRefusal(address, state, refusal, now);
      return refusal;
    }
    state.tokens -= 1;
    state.open++;
    this.#open++;
    let released = false;
    return {
      address,
      release: () => {
        if (released) return;
        released = true;
        state.open--;
        this.#open--;
      },
    };
  }

  #refill(state: AddressState, now: number): void {
    const refill = ((now - state.updatedAt) / 1000) * this.#limits.connectRatePerAddress;
    state.tokens = Math.min(this.#limits.connectBurstPerAddress, state.tokens + refill);
    state.updatedAt = now;
  }

  /**
   * Forgets addresses with nothing open whose bucket is full again: they are as if never seen. An
   * entry with tokens still owed is kept, or closing and reopening would reset the rate.
   */
  #sweep(now: number): void {
    this.#sweptAt = now;
    for (const [key, state] of this.#addresses) {
      if (state.open > 0) continue;
      this.#refill(state, now);
      if (state.tokens >= this.#limits.connectBurstPerAddress) this.#addresses.delete(key);
    }
  }

  /** One line per address per 10 s however hard it knocks, with how many were refused. */
  #logRefusal(address: string, state: AddressState, refusal: Refusal, now: number): void {
    state.refusedSinceLog++;
    if (now - state.loggedAt < REFUSAL_LOG_EVERY_MS) return;
    this.#log.warn("connections refused", {
      address,
      reason: refusal.reason,
      refused: state.refusedSinceLog,
      open_from_address: state.open,
      open_total: this.#open,
    });
    state.loggedAt = now;
    state.refusedSinceLog = 0;
  }
}

const FULL: Refusal = Object.freeze({ status: 503, reason: "Server is full" });
const TOO_MANY: Refusal = Object.freeze({
  status: 429,
  reason: "Too many connections from this address",
});
const TOO_FAST: Refusal = Object.freeze({
  status: 429,
  reason: "Connecting too fast from this address",
});

export function isRefusal(admission: Ticket | Refusal): admission is Refusal {
  return "status" in admission;
}

/**
 * What the per-address limits count by: the address itself, or for IPv6 its /64 network, which
 * one subscriber gets whole (an attacker with a /64 would otherwise have 2^64 addresses).
 */
export function limitKey(address: string): string {
  if (isIP(address) !== 6) return address;
  const [head = "", tail] = address.toLowerCase().split("%")[0]!.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  // A trailing dotted IPv4 part (`64:ff9b::1.2.3.4`) stands for two groups.
  const width = (parts: string[]) => parts.length + (parts.at(-1)?.includes(".") ? 1 : 0);
  const groups = tail === undefined
    ? left
    : [...left, ...Array<string>(8 - width(left) - width(right)).fill("0"), ...right];
  return groups.slice(0, 4).map((group) => group.replace(/^0+(?=.)/, "")).join(":") + "::/64";
}
