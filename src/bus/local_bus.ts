import type { Bus, BusSubscriber, Target } from "../core/ports/bus.ts";
import type { OutboundMessage } from "../core/session.ts";

/**
 * The Bus of a single process: a publish is delivered at once, synchronously, to this node's
 * sessions (LocalFanout), so messages arrive in publish order and an op's `apply_op` is out before
 * the next message is handled.
 */
export class LocalBus implements Bus {
  #subscriber: BusSubscriber;

  constructor(subscriber: BusSubscriber) {
    this.#subscriber = subscriber;
  }

  publish(target: Target, message: OutboundMessage): void {
    this.#subscriber.deliver(target, message);
  }
}
