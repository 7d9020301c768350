import assert from "node:assert/strict";
import { formatRange, inRange, parseRange } from "./cidr.ts";

Deno.test("cidr: IPv4 addresses and ranges match what they cover, nothing else", () => {
  const range = parseRange("203.0.113.0/24")!;
  assert.equal(formatRange(range), "203.0.113.0/24");
  assert.equal(inRange("203.0.113.7", range), true);
  assert.equal(inRange("203.0.113.255", range), true);
  assert.equal(inRange("203.0.114.0", range), false);
  assert.equal(inRange("::ffff:203.0.113.9", range), true, "IPv4-mapped IPv6 is the IPv4 address");
  assert.equal(inRange("2001:db8::1", range), false, "another family");
  assert.equal(inRange("unknown", range), false);
  const one = parseRange("198.51.100.7")!;
  assert.equal(formatRange(one), "198.51.100.7");
  assert.equal(inRange("198.51.100.7", one), true);
  assert.equal(inRange("198.51.100.8", one), false);
  assert.equal(formatRange(parseRange("10.1.2.3/8")!), "10.0.0.0/8", "masked to the network");
  const all = parseRange("0.0.0.0/0")!;
  assert.equal(inRange("1.2.3.4", all), true);
});

Deno.test("cidr: IPv6, compressed or not, with an embedded IPv4 tail", () => {
  const range = parseRange("2001:db8::/32")!;
  assert.equal(inRange("2001:db8:ffff::1", range), true);
  assert.equal(inRange("2001:0db8:0000:0000:0000:0000:0000:0001", range), true);
  assert.equal(inRange("2001:db9::1", range), false);
  assert.equal(inRange("127.0.0.1", range), false);
  assert.equal(inRange("::1", parseRange("::1")!), true);
  assert.equal(inRange("::2", parseRange("::1")!), false);
  assert.equal(inRange("64:ff9b::192.0.2.33", parseRange("64:ff9b::/96")!), true);
  assert.equal(formatRange(parseRange("2001:db8::1/64")!), "2001:db8:0:0:0:0:0:0/64");
});

Deno.test("cidr: malformed text is no range", () => {
  for (
    const bad of [
      "",
      "1.2.3",
      "1.2.3.4.5",
      "256.1.1.1",
      "01.2.3.4",
      "1.2.3.4/33",
      "1.2.3.4/",
      "1.2.3.4/-1",
      "1.2.3.4/8/8",
      "::1/129",
      "1::2::3",
      "1:2:3:4:5:6:7:8:9",
      "12345::",
      "g::1",
      "example.com",
      " 1.2.3.4",
      "1.2.3.4/08x",
      "x".repeat(100),
    ]
  ) {
    assert.equal(parseRange(bad), undefined, bad);
  }
});
