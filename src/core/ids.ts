/** `bytes` random bytes from the platform CSPRNG, as lowercase hex. */
export function randomHex(bytes: number): string {
  const buffer = crypto.getRandomValues(new Uint8Array(bytes));
  let hex = "";
  for (const byte of buffer) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

/** An opaque, unguessable, never-reused connection id (never a memory address, contract §4.1). */
export function newClientId(): string {
  return "c_" + randomHex(12);
}

/** Shortens a client-supplied value before it is echoed in a message. */
export function clip(text: string, max = 64): string {
  const points = [...text];
  return points.length <= max ? text : points.slice(0, max).join("") + "…";
}
