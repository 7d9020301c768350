/**
 * The Bus and Presence contract over every implementation: the in-process one today (a Redis bus
 * with summed presence joins in issue 17, with its own factory).
 * @module
 */
import { busContract, nodeWith } from "./bus_contract.ts";
import { LocalBus } from "./local_bus.ts";
import { LocalPresence } from "./local_presence.ts";

busContract({
  name: "local",
  make: () =>
    Promise.resolve({
      node: nodeWith(new LocalPresence(), (fanout) => new LocalBus(fanout)),
      settle: () => Promise.resolve(),
      close: () => Promise.resolve(),
    }),
});
