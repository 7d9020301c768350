/** A line-by-line diff of two texts, for comparing two revisions of a spell's code. */

export interface DiffLine {
  kind: "same" | "added" | "removed";
  text: string;
  /** Line number in the old text (same, removed). */
  oldLine?: number;
  /** Line number in the new text (same, added). */
  newLine?: number;
}

/** Above this many changed-region cells the middle is shown as removed-then-added, not aligned. */
const MAX_CELLS = 4_000_000;

/**
 * The shortest edit between `before` and `after` by lines: the common head and tail are trimmed,
 * the middle is aligned by longest common subsequence. Lines end at `\n`; a `\r` before it stays
 * part of the line, so a change of line endings shows.
 */
export function diffLines(before: string, after: string): DiffLine[] {
  const a = before === "" ? [] : before.split("\n");
  const b = after === "" ? [] : after.split("\n");
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (
    tail < a.length - head && tail < b.length - head &&
    a[a.length - 1 - tail] === b[b.length - 1 - tail]
  ) tail++;
  const out: DiffLine[] = [];
  for (let i = 0; i < head; i++) {
    out.push({ kind: "same", text: a[i]!, oldLine: i + 1, newLine: i + 1 });
  }
  const midA = a.slice(head, a.length - tail);
  const midB = b.slice(head, b.length - tail);
  out.push(...alignMiddle(midA, midB, head, head));
  for (let i = tail; i > 0; i--) {
    out.push({
      kind: "same",
      text: a[a.length - i]!,
      oldLine: a.length - i + 1,
      newLine: b.length - i + 1,
    });
  }
  return out;
}

function alignMiddle(a: string[], b: string[], oldOffset: number, newOffset: number): DiffLine[] {
  const out: DiffLine[] = [];
  const removed = (i: number) =>
    out.push({ kind: "removed", text: a[i]!, oldLine: oldOffset + i + 1 });
  const added = (j: number) => out.push({ kind: "added", text: b[j]!, newLine: newOffset + j + 1 });
  const n = a.length;
  const m = b.length;
  if (n * m > MAX_CELLS) {
    for (let i = 0; i < n; i++) removed(i);
    for (let j = 0; j < m; j++) added(j);
    return out;
  }
  // lcs[i][j]: longest common subsequence of a[i..] and b[j..], one flat row-major array.
  const width = m + 1;
  const lcs = new Uint32Array((n + 1) * width);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * width + j] = a[i] === b[j]
        ? lcs[(i + 1) * width + j + 1]! + 1
        : Math.max(lcs[(i + 1) * width + j]!, lcs[i * width + j + 1]!);
    }
  }
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push({
        kind: "same",
        text: a[i]!,
        oldLine: oldOffset + i + 1,
        newLine: newOffset + j + 1,
      });
      i++;
      j++;
    } else if (lcs[(i + 1) * width + j]! >= lcs[i * width + j + 1]!) {
      removed(i++);
    } else {
      added(j++);
    }
  }
  while (i < n) removed(i++);
  while (j < m) added(j++);
  return out;
}

/** How many lines were added and removed. */
export function diffStats(lines: DiffLine[]): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const line of lines) {
    if (line.kind === "added") added++;
    else if (line.kind === "removed") removed++;
  }
  return { added, removed };
}
