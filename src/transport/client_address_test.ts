import assert from "node:assert/strict";
import { clientAddress, parseAddressOrRange, TrustedProxies } from "./client_address.ts";

Deno.test("clientAddress() ignores X-Forwarded-For from a peer that is not a trusted proxy", () => {
  const none = new TrustedProxies([]);
  assert.equal(clientAddress("203.0.113.9", "1.1.1.1", none), "203.0.113.9");
  const some = new TrustedProxies(["10.0.0.0/8"]);
  assert.equal(clientAddress("203.0.113.9", "1.1.1.1", some), "203.0.113.9");
});

Deno.test("clientAddress() believes a trusted proxy, taking the right-most untrusted hop", () => {
  const trusted = new TrustedProxies(["10.0.0.0/8", "::1"]);
  assert.equal(clientAddress("10.0.0.2", "198.51.100.7", trusted), "198.51.100.7");
  // The client claims 6.6.6.6; the first proxy saw 198.51.100.7; a second trusted hop appended 10.1.1.1.
  assert.equal(
    clientAddress("::1", "6.6.6.6, 198.51.100.7, 10.1.1.1", trusted),
    "198.51.100.7",
  );
  assert.equal(clientAddress("::ffff:10.0.0.2", ["203.0.113.1"], trusted), "203.0.113.1");
  // No header: the proxy itself is the client as far as we can tell.
  assert.equal(clientAddress("10.0.0.2", undefined, trusted), "10.0.0.2");
  // Garbage stops the walk at the last address we could vouch for.
  assert.equal(clientAddress("10.0.0.2", "evil, 198.51.100.7", trusted), "198.51.100.7");
  assert.equal(clientAddress("10.0.0.2", "198.51.100.7, not-an-ip", trusted), "10.0.0.2");
});

Deno.test("clientAddress() shows IPv4-mapped IPv6 as IPv4 and never returns an empty string", () => {
  assert.equal(clientAddress("::ffff:127.0.0.1", undefined, new TrustedProxies([])), "127.0.0.1");
  assert.equal(clientAddress(undefined, undefined, new TrustedProxies([])), "unknown");
});

Deno.test("parseAddressOrRange() accepts addresses and CIDRs and names a bad entry", () => {
  assert.deepEqual(parseAddressOrRange("10.0.0.0/8"), {
    address: "10.0.0.0",
    prefix: 8,
    family: "ipv4",
  });
  assert.deepEqual(parseAddressOrRange("::1"), { address: "::1", family: "ipv6" });
  for (const bad of ["10.0.0.0/33", "localhost", "10.0.0.0/8/1", "fd00::/129", "1.2.3.4/x"]) {
    assert.throws(() => parseAddressOrRange(bad), new RegExp(bad.replaceAll(".", "\\.")));
  }
});
