// deno-lint-ignore-file no-console -- a load generator process: one JSON line of results on stdout
/**
 * One process of the cluster bench's load generator (bench/cluster.ts starts several, so the
 * generator is not the single-core bottleneck it was in the one-process bench). It connects its
 * share of raw clients round-robin over the nodes' URLs, joins them to one world, then records
 * every `apply_op` it receives: the stamp in `center.x` is wall-clock milliseconds since a base the
 * parent gives all processes, so latency is comparable across processes on one machine. It prints
 * `{"ready":true}` once joined, and its results when told to stop (a line on stdin).
 *
 * Args: <base epoch ms> <window start ms> <window end ms> <world id> <clients> <url> [url…]
 * @module
 */
import { closeAll, joinWorld, RawClient } from "./clients.ts";
import { Samples } from "./stats.ts";

const [baseText, w0Text, w1Text, worldId, countText, ...urls] = Deno.args;
const base = Number(baseText);
const w0 = Number(w0Text);
const w1 = Number(w1Text);
const count = Number(countText);
const now = () => performance.timeOrigin + performance.now() - base;

const clients: RawClient[] = [];
for (let i = 0; i < count; i++) clients.push(await RawClient.connect(urls[i % urls.length]!));
for (const client of clients) await joinWorld(client, worldId!);

const samples = new Samples(2_000_000);
let deliveredInWindow = 0;
let stampedInWindow = 0;
for (const client of clients) {
  client.onStamped("apply_op", (stamp) => {
    const at = now();
    if (at >= w0 && at < w1) deliveredInWindow++;
    if (stamp >= w0 && stamp < w1) {
      stampedInWindow++;
      samples.add(at - stamp);
    }
  });
}
console.log(JSON.stringify({ ready: true }));

// Wait for the parent's "stop" line.
const reader = Deno.stdin.readable.getReader();
await reader.read();
const latency = samples.summary();
console.log(JSON.stringify({
  deliveredInWindow,
  stampedInWindow,
  latency,
  disconnects: clients.filter((client) => client.droppedByPeer).length,
}));
await closeAll(clients);
Deno.exit(0);
