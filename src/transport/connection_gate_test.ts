import assert from "node:assert/strict";
import { createLogger } from "../log.ts";
import {
  ConnectionGate,
  isRefusal,
  limitKey,
  type Refusal,
  type Ticket,
} from "./connection_gate.ts";

function gate(limits: Partial<ConstructorParameters<typeof ConnectionGate>[0]> = {}) {
  const clock = {
    t: 0,
    now() {
      return this.t;
    },
  };
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({ level: "debug", write: (line) => lines.push(JSON.parse(line)) });
  const subject = new ConnectionGate({
    maxConnections: 100,
    maxConnectionsPerAddress: 3,
    connectRatePerAddress: 2,
    connectBurstPerAddress: 4,
    ...limits,
  }, { clock, log });
  return { subject, clock, lines };
}

function ticket(admission: Ticket | Refusal): Ticket {
  assert.ok(!isRefusal(admission), `refused: ${JSON.stringify(admission)}`);
  return admission;
}

Deno.test("per-address cap: the fourth open connection of one address is refused, others are not", () => {
  const { subject } = gate();
  const held = [1, 2, 3].map(() => ticket(subject.admit("10.0.0.1")));
  assert.deepEqual(subject.admit("10.0.0.1"), {
    status: 429,
    reason: "Too many connections from this address",
  });
  ticket(subject.admit("10.0.0.2"));
  held[0]!.release();
  held[0]!.release(); // twice is harmless
  assert.equal(subject.openCount, 3);
  ticket(subject.admit("10.0.0.1"));
});

Deno.test("per-address rate: a burst, then the sustained rate; closing does not reset it", () => {
  const { subject, clock, lines } = gate({ maxConnectionsPerAddress: 100 });
  for (let i = 0; i < 4; i++) ticket(subject.admit("10.0.0.1")).release();
  const refused = subject.admit("10.0.0.1");
  assert.ok(isRefusal(refused) && refused.reason === "Connecting too fast from this address");
  clock.t = 20_000; // a sweep runs; the entry is full again and may go
  for (let i = 0; i < 4; i++) ticket(subject.admit("10.0.0.1")).release();
  assert.ok(isRefusal(subject.admit("10.0.0.1")));
  clock.t += 500; // 2/s → one more token
  ticket(subject.admit("10.0.0.1"));
  assert.ok(isRefusal(subject.admit("10.0.0.1")));
  // Refusals are logged once per address per 10 s, with a count.
  for (let i = 0; i < 100; i++) subject.admit("10.0.0.1");
  assert.equal(lines.filter((line) => line.msg === "connections refused").length, 2);
});

Deno.test("the process cap answers 503 before any per-address rule", () => {
  const { subject } = gate({ maxConnections: 2 });
  ticket(subject.admit("10.0.0.1"));
  ticket(subject.admit("10.0.0.2"));
  assert.deepEqual(subject.admit("10.0.0.3"), { status: 503, reason: "Server is full" });
});

Deno.test("IPv6 addresses share the limits of their /64", () => {
  assert.equal(limitKey("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
  assert.equal(limitKey("2001:DB8:1:2:bbbb:cccc:dddd:eeee"), "2001:db8:1:2::/64");
  assert.equal(limitKey("::1"), "0:0:0:0::/64");
  assert.equal(limitKey("fe80::1%eth0"), "fe80:0:0:0::/64");
  assert.equal(limitKey("1::2:3:4:5:6.7.8.9"), "1:0:2:3::/64");
  assert.equal(limitKey("203.0.113.9"), "203.0.113.9");
  const { subject } = gate();
  for (let i = 1; i <= 3; i++) ticket(subject.admit(`2001:db8::${i}`));
  assert.ok(isRefusal(subject.admit("2001:db8::ffff")));
  ticket(subject.admit("2001:db8:0:1::1"));
});
