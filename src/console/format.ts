/** Times and numbers as an operator reads them. */

/** "12 s ago", "5 min ago", "3 h ago", "2 d ago"; an unparseable time as given. */
export function ago(time: unknown, now = Date.now()): string {
  const at = toMillis(time);
  if (at === undefined) return time === null || time === undefined ? "—" : String(time);
  const seconds = Math.round((now - at) / 1000);
  if (seconds < 0) return "in " + span(-seconds);
  if (seconds < 5) return "just now";
  return span(seconds) + " ago";
}

/** "in 23 h", "expired", or "never" for a ban without an end. */
export function until(time: unknown, now = Date.now()): string {
  if (time === null || time === undefined || time === "") return "never";
  const at = toMillis(time);
  if (at === undefined) return String(time);
  return at <= now ? "expired" : "in " + span(Math.round((at - now) / 1000));
}

export function span(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86400) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86400)} d`;
}

/** The exact time, for a tooltip: "2026-11-30 04:12:09 UTC". */
export function exact(time: unknown): string {
  const at = toMillis(time);
  if (at === undefined) return "";
  return new Date(at).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
}

export function toMillis(time: unknown): number | undefined {
  if (typeof time === "number" && Number.isFinite(time)) return time < 1e12 ? time * 1000 : time;
  if (typeof time === "string" && time !== "") {
    const parsed = Date.parse(time);
    return Number.isNaN(parsed) ? undefined : parsed;
  }
  return undefined;
}

/** 1234567 → "1.2 M", 12345 → "12.3 k". */
export function compact(value: number): string {
  if (!Number.isFinite(value)) return "—";
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${(value / 1e6).toFixed(1)} M`;
  if (abs >= 1e4) return `${(value / 1e3).toFixed(1)} k`;
  return String(Math.round(value * 10) / 10);
}
