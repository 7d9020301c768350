/**
 * Every id and path a client can name, checked before it reaches the database or the disk
 * (contract §4.5). Anything that fails these is an error, never a lookup.
 */
export const SPELL_ID = /^[a-z0-9_]{1,64}$/;
export const REVISION_ID = /^rev_\d{6}_[0-9a-f]{8}$/;
export const JOB_ID = /^job_[0-9a-f]{12}$/;
export const WORLD_ID = /^world_[0-9a-f]{8}$/;

const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;

/**
 * A package file path: relative, `/`-separated, inside `code/` or `assets/`, no `.`/`..` segments,
 * no backslashes, NUL or absolute forms. Returns the path if it is one, else undefined.
 */
export function packagePath(path: string): string | undefined {
  if (path.length > 200) return undefined;
  const segments = path.split("/");
  if (segments.length < 2 || (segments[0] !== "code" && segments[0] !== "assets")) return undefined;
  return segments.every((segment) => SEGMENT.test(segment) && !/^\.+$/.test(segment))
    ? path
    : undefined;
}

/** `rev_<6-digit version>_<8 hex>` */
export function revisionIdFor(version: number, hex: string): string {
  return `rev_${String(version).padStart(6, "0")}_${hex}`;
}
