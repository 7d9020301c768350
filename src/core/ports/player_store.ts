/** A player as stored: never its token, only the token's SHA-256. */
export interface PlayerRecord {
  player_id: string;
  display_name: string;
  created_at: string;
  /** Hex SHA-256 of the current token; "" once revoked. */
  token_hash: string;
  /** When the current token stops working (ISO 8601). */
  token_expires_at: string;
}

/** Players and their token hashes. */
export interface PlayerStore {
  create(player: PlayerRecord): Promise<void>;
  get(playerId: string): Promise<PlayerRecord | undefined>;
  count(): Promise<number>;
  /** Up to `limit` players, oldest first (created_at, then player_id), after `afterId`'s place. */
  page(limit: number, after?: { createdAt: string; playerId: string }): Promise<PlayerRecord[]>;
  /** Revokes the player's token (the hash is forgotten); false if there is no such player. */
  revokeToken(playerId: string): Promise<boolean>;
}
