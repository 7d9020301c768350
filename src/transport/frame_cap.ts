import { OutboundMessage } from "../core/session.ts";
import type { Logger } from "../log.ts";
import { ErrorCode, ServerEvent } from "../protocol/mod.ts";

/** Per-connection output bounds both adapters enforce. */
export interface SessionLimits {
  maxOutboundBytes: number;
  maxBufferedBytes: number;
}

/**
 * The message itself, or — if it is over the frame cap, which would make Godot drop the
 * connection — a `too_large` error in its place, logged loudly: the core should never produce one.
 */
export function capFrame(
  message: OutboundMessage,
  maxOutboundBytes: number,
  log: Logger,
): OutboundMessage {
  if (message.frameBytes <= maxOutboundBytes) return message;
  log.error("outbound message over the frame cap", {
    event: message.event,
    bytes: message.frameBytes,
  });
  return new OutboundMessage(ServerEvent.ERROR, {
    message: "Reply too large to send",
    code: ErrorCode.TOO_LARGE,
  });
}
