import { codePointLength, hasControlCharacters } from "../../protocol/mod.ts";
import type { Clock } from "../ports/clock.ts";
import type { BanRecord, ModerationStore } from "../ports/moderation_store.ts";
import type { PlayerStore } from "../ports/player_store.ts";
import { RateLimiter } from "../rate_limiter.ts";
import { type AddressRange, inRange, parseRange } from "./cidr.ts";
import { OPERATOR, type Principal } from "./principal.ts";
import {
  constantTimeEqual,
  hashToken,
  MAX_TOKEN_CHARS,
  newPlayerId,
  newToken,
  parseToken,
} from "./token.ts";

/** Why a handshake or request is refused: 401 (token), 403 (banned), 429 (too many), 400 (input). */
export class IdentityRefusal extends Error {
  readonly status: 400 | 401 | 403 | 429;

  constructor(status: 400 | 401 | 403 | 429, message: string) {
    super(message);
    this.name = "IdentityRefusal";
    this.status = status;
  }
}

export interface IdentityOptions {
  players: PlayerStore;
  moderation: ModerationStore;
  clock: Clock;
  /** ADMIN_TOKEN: whoever presents it is the operator. */
  adminToken: string;
  tokenTtlDays: number;
  /** Players one address may create per hour (all at once, then evenly). */
  playerCreatesPerHour: number;
}

export const MAX_DISPLAY_NAME_CHARS = 32;
/** Bans are re-read at most this often (a ban made here refreshes at once). */
const BAN_CACHE_MS = 2_000;

interface ActiveBan {
  ban: BanRecord;
  range?: AddressRange;
  expiresAt: number;
}

/**
 * Who a token names, and whether they (or their address) may come in. Players are created here;
 * tokens are checked against the stored hash in constant time; the operator's token is compared
 * the same way. A wrong, expired or revoked token is a refusal, never a guest.
 */
export class IdentityService {
  #options: IdentityOptions;
  #adminHash: Promise<string>;
  #creates: RateLimiter;
  #bans: ActiveBan[] = [];
  #bansReadAt = -Infinity;
  #bansLoading: Promise<void> | undefined;

  constructor(options: IdentityOptions) {
    this.#options = options;
    this.#adminHash = hashToken(options.adminToken);
    const perHour = options.playerCreatesPerHour;
    this.#creates = new RateLimiter({
      perSecond: perHour / 3600,
      burst: perHour,
      clock: options.clock,
    });
  }

  /** Creates a player; its token is returned this once and never stored. */
  async createPlayer(
    address: string,
    displayName: unknown,
  ): Promise<{ player_id: string; token: string }> {
    const name = displayName === undefined || displayName === null ? "" : displayName;
    if (typeof name !== "string") {
      throw new IdentityRefusal(400, "display_name must be a string");
    }
    const trimmed = name.trim();
    if (codePointLength(trimmed) > MAX_DISPLAY_NAME_CHARS || hasControlCharacters(trimmed)) {
      throw new IdentityRefusal(
        400,
        `display_name must be at most ${MAX_DISPLAY_NAME_CHARS} characters, without control characters`,
      );
    }
    await this.#refuseBannedAddress(address);
    if (!this.#creates.take(address)) {
      const seconds = Math.ceil(this.#creates.msUntilToken(address) / 1000);
      throw new IdentityRefusal(
        429,
        `Too many players created from your address (${this.#options.playerCreatesPerHour} an hour); try again in ${seconds} s`,
      );
    }
    const playerId = newPlayerId();
    const token = newToken(playerId);
    const now = this.#options.clock.now();
    await this.#options.players.create({
      player_id: playerId,
      display_name: trimmed,
      created_at: new Date(now).toISOString(),
      token_hash: await hashToken(token),
      token_expires_at: new Date(now + this.#options.tokenTtlDays * 86_400_000).toISOString(),
    });
    return { player_id: playerId, token };
  }

  /**
   * The principal a presented token names, after the ban checks; `undefined` for no token (the
   * caller makes a guest). Throws an IdentityRefusal for a bad, expired or revoked token (401) or
   * a banned player or address (403).
   */
  async authenticate(
    token: string | null | undefined,
    address: string,
  ): Promise<Principal | undefined> {
    const principal = token === null || token === undefined || token === ""
      ? undefined
      : await this.#principalOf(token);
    // The operator is never banned: a ban of its own address must not lock it out of the console.
    if (principal?.kind === "operator") return principal;
    const ban = await this.banOf(address, principal?.id);
    if (ban) throw banned(ban);
    return principal;
  }

  /** Revokes the player's token; false if there is no such player. */
  revoke(playerId: string): Promise<boolean> {
    return this.#options.players.revokeToken(playerId);
  }

  async #principalOf(token: string): Promise<Principal> {
    if (token.length > MAX_TOKEN_CHARS) throw new IdentityRefusal(401, "Invalid token");
    const hash = await hashToken(token);
    if (constantTimeEqual(hash, await this.#adminHash)) return OPERATOR;
    const parsed = parseToken(token);
    if (!parsed) throw new IdentityRefusal(401, "Invalid token");
    const player = await this.#options.players.get(parsed.playerId);
    // The same refusal whether the player is unknown or the token wrong: no way to probe ids.
    if (!player || player.token_hash === "" || !constantTimeEqual(hash, player.token_hash)) {
      throw new IdentityRefusal(401, player?.token_hash === "" ? "Token revoked" : "Invalid token");
    }
    if (Date.parse(player.token_expires_at) <= this.#options.clock.now()) {
      throw new IdentityRefusal(401, "Token expired; create a new player");
    }
    return { kind: "player", id: player.player_id, name: player.display_name };
  }

  /** The active ban that covers `address` or `playerId`, if any (a cached read). */
  async banOf(address: string, playerId?: string): Promise<BanRecord | undefined> {
    const now = this.#options.clock.now();
    return (await this.#activeBans()).find((entry) =>
      entry.expiresAt > now &&
      ((entry.range !== undefined && inRange(address, entry.range)) ||
        (playerId !== undefined && entry.ban.player_id === playerId))
    )?.ban;
  }

  /** Bans changed here: the next check reads them again. */
  bansChanged(): void {
    this.#bansReadAt = -Infinity;
  }

  async #refuseBannedAddress(address: string): Promise<void> {
    const ban = await this.banOf(address);
    if (ban) throw banned(ban);
  }

  async #activeBans(): Promise<ActiveBan[]> {
    const { clock, moderation } = this.#options;
    if (clock.monotonic() - this.#bansReadAt < BAN_CACHE_MS) return this.#bans;
    this.#bansLoading ??= (async () => {
      const readAt = clock.monotonic();
      const bans = await moderation.activeBans(new Date(clock.now()).toISOString());
      this.#bans = bans.map((ban) => {
        const range = ban.address === undefined ? undefined : parseRange(ban.address);
        return {
          ban,
          ...(range ? { range } : {}),
          expiresAt: ban.expires_at === "" ? Infinity : Date.parse(ban.expires_at),
        };
      });
      this.#bansReadAt = readAt;
    })().finally(() => this.#bansLoading = undefined);
    await this.#bansLoading;
    return this.#bans;
  }
}

function banned(ban: BanRecord): IdentityRefusal {
  const until = ban.expires_at === "" ? "" : ` until ${ban.expires_at}`;
  return new IdentityRefusal(403, `Banned${until}: ${ban.reason}`);
}
