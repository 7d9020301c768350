/** Machine-readable error codes sent as `error.code` (contract §4.12). */
export const ErrorCode = {
  INVALID_JSON: "invalid_json",
  INVALID_PAYLOAD: "invalid_payload",
  UNKNOWN_TYPE: "unknown_type",
  WORLD_NOT_FOUND: "world_not_found",
  SPELL_NOT_FOUND: "spell_not_found",
  REVISION_NOT_FOUND: "revision_not_found",
  FILE_NOT_FOUND: "file_not_found",
  NOT_IN_WORLD: "not_in_world",
  RATE_LIMITED: "rate_limited",
  TOO_LARGE: "too_large",
  FORBIDDEN: "forbidden",
  QUOTA_EXCEEDED: "quota_exceeded",
  UNAVAILABLE: "unavailable",
  INTERNAL: "internal_error",
} as const;

export type ErrorCode = typeof ErrorCode[keyof typeof ErrorCode];

/** WebSocket close codes the server uses. */
export const CloseCode = {
  GOING_AWAY: 1001,
  POLICY_VIOLATION: 1008,
  MESSAGE_TOO_BIG: 1009,
  TRY_AGAIN_LATER: 1013,
} as const;

/**
 * A condition the client caused (bad input, unknown id, limit reached). The dispatcher turns it into
 * the `error` event (or the event named by `event`, e.g. `spell.cast_rejected`) for the sender only.
 */
export class ProtocolError extends Error {
  readonly code: ErrorCode;
  /** Reply event to use instead of `error`, with its own payload shape. */
  readonly reply?: { event: string; payload: Record<string, unknown> };

  constructor(
    code: ErrorCode,
    message: string,
    reply?: { event: string; payload: Record<string, unknown> },
  ) {
    super(message);
    this.name = "ProtocolError";
    this.code = code;
    if (reply) this.reply = reply;
  }
}
