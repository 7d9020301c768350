/**
 * Addresses and CIDR ranges for bans, in plain TypeScript (the core reaches no platform API):
 * `203.0.113.7`, `203.0.113.0/24`, `2001:db8::1`, `2001:db8::/32`. An IPv4-mapped IPv6 address
 * (`::ffff:1.2.3.4`) matches as its IPv4 address.
 */
export interface AddressRange {
  family: 4 | 6;
  /** The network, masked to `prefix` bits. */
  network: bigint;
  prefix: number;
}

/** Parses an address or range; undefined if it is neither. */
export function parseRange(text: string): AddressRange | undefined {
  if (text.length > 64) return undefined;
  const [address = "", prefixText, extra] = text.split("/");
  if (extra !== undefined) return undefined;
  const parsed = parseAddress(address);
  if (!parsed) return undefined;
  const bits = parsed.family === 4 ? 32 : 128;
  let prefix = bits;
  if (prefixText !== undefined) {
    if (!/^\d{1,3}$/.test(prefixText)) return undefined;
    prefix = Number(prefixText);
    if (prefix > bits) return undefined;
  }
  return { family: parsed.family, network: mask(parsed.value, prefix, bits), prefix };
}

/** True if `address` lies in `range`. */
export function inRange(address: string, range: AddressRange): boolean {
  const parsed = parseAddress(address);
  if (!parsed || parsed.family !== range.family) return false;
  const bits = range.family === 4 ? 32 : 128;
  return mask(parsed.value, range.prefix, bits) === range.network;
}

/** The canonical text of a range (`10.0.0.0/8`, `2001:db8::/32` as hex groups, or a bare address). */
export function formatRange(range: AddressRange): string {
  const bits = range.family === 4 ? 32 : 128;
  const address = range.family === 4 ? formatV4(range.network) : formatV6(range.network);
  return range.prefix === bits ? address : `${address}/${range.prefix}`;
}

function mask(value: bigint, prefix: number, bits: number): bigint {
  if (prefix === 0) return 0n;
  const ones = (1n << BigInt(bits)) - 1n;
  return value & (ones ^ ((1n << BigInt(bits - prefix)) - 1n));
}

function parseAddress(text: string): { family: 4 | 6; value: bigint } | undefined {
  const v4 = parseV4(text);
  if (v4 !== undefined) return { family: 4, value: v4 };
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(text);
  if (mapped) {
    const inner = parseV4(mapped[1]!);
    return inner === undefined ? undefined : { family: 4, value: inner };
  }
  const v6 = parseV6(text);
  return v6 === undefined ? undefined : { family: 6, value: v6 };
}

function parseV4(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(part) || Number(part) > 255) return undefined;
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

function parseV6(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]{2,45}$/.test(text)) return undefined;
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const groups = (half: string): number[] | undefined => {
    if (half === "") return [];
    const out: number[] = [];
    const items = half.split(":");
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      if (i === items.length - 1 && item.includes(".")) {
        const v4 = parseV4(item);
        if (v4 === undefined) return undefined;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(item)) return undefined;
        out.push(parseInt(item, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  let value = 0n;
  for (const group of [...head, ...new Array<number>(missing).fill(0), ...tail]) {
    value = (value << 16n) | BigInt(group);
  }
  return value;
}

function formatV4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join(".");
}

function formatV6(value: bigint): string {
  const groups: string[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) {
    groups.push(((value >> shift) & 0xffffn).toString(16));
  }
  return groups.join(":");
}
