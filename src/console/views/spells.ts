/// <reference lib="dom" />
import { adminPath, api, rowsOf } from "../api.ts";
import { ask } from "../dialog.ts";
import { diffLines, diffStats } from "../diff.ts";
import { h, hasInvisible, replace, revealed, userText } from "../dom.ts";
import { live } from "../live.ts";
import {
  actionButton,
  badge,
  debounce,
  failed,
  header,
  loading,
  mono,
  principal,
  replaceKeepingFocus,
  table,
  when,
} from "../ui.ts";
import type { View } from "./view.ts";

const CHANNELS = ["draft", "beta", "stable"] as const;

interface SpellRow {
  spell_id: string;
  owner_id: unknown;
  name?: unknown;
  channels?: Record<string, string | null | undefined>;
  pending_stable?: unknown;
  quarantined_count?: number;
}

interface Revision {
  revision_id: string;
  version: number;
  created_at: unknown;
  channels: string[];
  quarantined: boolean;
  capabilities: unknown;
  manifest: Record<string, unknown> | null;
}

interface SpellDetail {
  spell: SpellRow & Record<string, unknown>;
  revisions: Revision[];
}

/** The spell list, or one spell (`#/spells/<id>[/<revision>[/<compare-with>]]`). */
export function spellsView(params: string[]): View {
  return params[0] ? spellView(params[0], params[1], params[2]) : spellListView();
}

function spellListView(): View {
  const body = h("div", {}, loading());
  const load = async () => {
    try {
      const rows =
        rowsOf<SpellRow>(await api.get(adminPath("spells") + "?limit=500"), "spells").rows;
      replaceKeepingFocus(
        body,
        table<SpellRow>({
          caption: "Spells",
          rows,
          key: (row) => row.spell_id,
          empty: "No spells yet.",
          columns: [
            {
              label: "Spell",
              cell: (row) =>
                h(
                  "div",
                  {},
                  h(
                    "a",
                    { href: `#/spells/${encodeURIComponent(row.spell_id)}` },
                    row.name ? userText(row.name) : row.spell_id,
                  ),
                  row.name ? h("div", { class: "sub" }, mono(row.spell_id)) : null,
                ),
            },
            { label: "Owner", cell: (row) => principal(row.owner_id) },
            ...CHANNELS.map((channel) => ({
              label: channel[0]!.toUpperCase() + channel.slice(1),
              cell: (row: SpellRow) =>
                row.channels?.[channel]
                  ? mono(row.channels[channel])
                  : h("span", { class: "muted" }, "—"),
            })),
            {
              label: "Attention",
              cell: (row) => [
                row.pending_stable ? badge("stable approval pending", "warn") : null,
                row.quarantined_count ? badge(`${row.quarantined_count} quarantined`, "bad") : null,
              ],
            },
          ],
        }),
      );
    } catch (error) {
      replace(body, failed(error, "the spell list"));
    }
  };
  const reload = debounce(load);
  load();
  const stop = live.listen((event) => {
    if (event.event === "changed" && (event.data.lists as string[]).includes("spells")) reload();
    if (event.event === "job" && event.data.status === "completed") reload();
  });
  return {
    element: h(
      "section",
      { class: "view" },
      header("Spells", "Code players publish: review, approve, quarantine, roll back."),
      body,
    ),
    dispose: stop,
  };
}

function spellView(spellId: string, revisionParam?: string, againstParam?: string): View {
  const root = h("section", { class: "view" }, loading());
  let detail: SpellDetail | undefined;

  const go = (revisionId: string, against?: string) => {
    const parts = ["spells", spellId, revisionId, against].filter(Boolean).map((p) =>
      encodeURIComponent(p!)
    );
    location.hash = "#/" + parts.join("/");
  };

  const load = async () => {
    try {
      detail = await api.get<SpellDetail>(adminPath("spells", spellId));
      render();
    } catch (error) {
      replace(root, header("Spell", mono(spellId)), failed(error, "this spell"));
    }
  };

  const render = () => {
    if (!detail) return;
    const revisions = [...detail.revisions].sort((a, b) => b.version - a.version);
    const selected = revisions.find((r) => r.revision_id === revisionParam) ?? revisions[0];
    const spell = detail.spell;
    const title = metadataOf(selected?.manifest).name ?? (spell.name as string | undefined);
    const pending = pendingRevision(spell.pending_stable);
    replace(
      root,
      header(
        "Spell",
        h(
          "span",
          {},
          title ? [userText(title), " · "] : null,
          mono(spellId),
          " · owner ",
          principal(spell.owner_id),
        ),
        h("a", { href: "#/spells", class: "button secondary" }, "All spells"),
      ),
      pending
        ? h(
          "div",
          { class: "banner warn", role: "status" },
          h("span", {}, "The owner asked for revision ", mono(pending), " to go to stable."),
          actionButton("Approve stable", async () => {
            await publish(pending, "stable");
            return "Approved for stable";
          }, { kind: "primary" }),
        )
        : null,
      h(
        "div",
        { class: "panel" },
        h("h2", {}, "Revisions"),
        table<Revision>({
          caption: "Revisions",
          rows: revisions,
          key: (r) => r.revision_id,
          empty: "No revisions.",
          columns: [
            { label: "Version", className: "num", cell: (r) => `v${r.version}` },
            {
              label: "Revision",
              cell: (r) =>
                h("a", {
                  href: `#/spells/${encodeURIComponent(spellId)}/${
                    encodeURIComponent(r.revision_id)
                  }`,
                  "aria-current": r.revision_id === selected?.revision_id ? "true" : undefined,
                }, mono(r.revision_id)),
            },
            { label: "Built", cell: (r) => when(r.created_at) },
            {
              label: "Channels",
              cell: (r) => [
                ...r.channels.map((c) => badge(c, c)),
                r.quarantined ? badge("quarantined", "bad") : null,
              ],
            },
          ],
        }),
      ),
      selected ? revisionPanel(selected, revisions) : null,
    );
  };

  const publish = async (revisionId: string, channel: string) => {
    await api.post(adminPath("spells", spellId, "publish"), { revision_id: revisionId, channel });
    await load();
  };

  const revisionPanel = (revision: Revision, revisions: Revision[]): HTMLElement => {
    const manifest = revision.manifest ?? {};
    const metadata = metadataOf(manifest);
    const others = revisions.filter((r) => r.revision_id !== revision.revision_id);
    const against = others.find((r) => r.revision_id === againstParam);
    const codeBox = h("div", { class: "code-box" }, loading());
    const compare = h(
      "select",
      {
        id: "compare-with",
        onchange: (event: Event) =>
          go(revision.revision_id, (event.target as HTMLSelectElement).value || undefined),
      },
      h("option", { value: "" }, "Show this revision's code"),
      others.map((r) =>
        h(
          "option",
          { value: r.revision_id, selected: r.revision_id === against?.revision_id },
          `Diff against v${r.version} (${r.revision_id})`,
        )
      ),
    );
    showCode(codeBox, spellId, revision, against);
    return h(
      "div",
      { class: "panel" },
      h("h2", {}, `Revision v${revision.version} `, mono(revision.revision_id)),
      h(
        "div",
        { class: "revision-grid" },
        h(
          "dl",
          { class: "facts" },
          h("dt", {}, "Name"),
          h("dd", {}, userText(metadata.name)),
          h("dt", {}, "Description"),
          h("dd", {}, userText(metadata.description)),
          h("dt", {}, "Channels"),
          h(
            "dd",
            {},
            revision.channels.length
              ? revision.channels.map((c) => badge(c, c))
              : h("span", { class: "muted" }, "never published"),
          ),
          h("dt", {}, "Status"),
          h(
            "dd",
            {},
            revision.quarantined ? badge("quarantined", "bad") : badge("available", "ok"),
          ),
        ),
        h(
          "div",
          {},
          h("h3", {}, "Capability report"),
          capabilityReport(revision.capabilities ?? manifest.capabilities),
          verification(manifest),
        ),
      ),
      h(
        "div",
        { class: "action-row" },
        revision.quarantined
          ? h("p", { class: "muted" }, "Quarantined revisions cannot be published again.")
          : [
            // A channel on a newer revision can be rolled back to this one in one step.
            ...CHANNELS.flatMap((channel) => {
              const active = revisions.find((r) => r.channels.includes(channel));
              if (!active || active.version <= revision.version) return [];
              return [actionButton(`Roll ${channel} back to v${revision.version}`, async () => {
                const ok = await ask({
                  title: `Roll ${channel} back?`,
                  body: [
                    h(
                      "p",
                      {},
                      `Players on ${channel} move from v${active.version} to v${revision.version} (`,
                      mono(revision.revision_id),
                      ") now.",
                    ),
                  ],
                  action: "Roll back",
                });
                if (!ok) return null;
                await publish(revision.revision_id, channel);
                return `${channel} rolled back to v${revision.version}`;
              }, { small: false })];
            }),
            actionButton("Approve for stable", async () => {
              const ok = await ask({
                title: "Publish to stable?",
                body: [
                  h(
                    "p",
                    {},
                    "Every player gets revision ",
                    mono(revision.revision_id),
                    " of ",
                    mono(spellId),
                    " as the stable version.",
                  ),
                ],
                action: "Publish to stable",
              });
              if (!ok) return null;
              await publish(revision.revision_id, "stable");
              return "Published to stable";
            }, { kind: "primary", small: false }),
            actionButton("Publish to channel…", async () => {
              const answer = await ask({
                title: "Publish to a channel",
                body: [h("p", {}, "Publishing an older revision rolls the channel back to it.")],
                fields: [{
                  name: "channel",
                  label: "Channel",
                  kind: "select",
                  options: CHANNELS.map((c) => [c, c]),
                  value: "beta",
                }],
                action: "Publish",
              });
              if (!answer) return null;
              await publish(revision.revision_id, answer.channel!);
              return `Published to ${answer.channel}`;
            }, { small: false, title: "Also used to roll a channel back to this revision" }),
            actionButton("Quarantine…", async () => {
              const answer = await ask({
                title: "Quarantine this revision?",
                body: [
                  h(
                    "p",
                    {},
                    "Revision ",
                    mono(revision.revision_id),
                    " is removed from every channel. Connected players are moved to the previous good revision (or told it is revoked); casts and downloads of it are refused from now on.",
                  ),
                ],
                fields: [{
                  name: "reason",
                  label: "Reason (kept in the audit log)",
                  kind: "textarea",
                  required: true,
                }],
                action: "Quarantine",
                danger: true,
              });
              if (!answer) return null;
              await api.post(
                adminPath("spells", spellId, "revisions", revision.revision_id, "quarantine"),
                { reason: answer.reason },
              );
              await load();
              return "Revision quarantined";
            }, { kind: "danger", small: false }),
          ],
      ),
      h("div", { class: "code-toolbar" }, h("label", { for: "compare-with" }, "View"), compare),
      codeBox,
    );
  };

  load();
  const reload = debounce(load);
  const stop = live.listen((event) => {
    if (event.event === "changed" && (event.data.lists as string[]).includes("spells")) reload();
    if (
      event.event === "job" && event.data.spell_id === spellId && event.data.status === "completed"
    ) reload();
  });
  return { element: root, dispose: stop };
}

/** The manifest's player-chosen name and description (`metadata`, or top-level in older ones). */
function metadataOf(
  manifest: Record<string, unknown> | null | undefined,
): { name?: string; description?: string } {
  const source = (manifest?.metadata ?? manifest ?? {}) as Record<string, unknown>;
  return {
    ...(typeof source.name === "string" ? { name: source.name } : {}),
    ...(typeof source.description === "string" ? { description: source.description } : {}),
  };
}

/** What the build verified: the API version and each file with its size and hash. */
function verification(manifest: Record<string, unknown>): HTMLElement | null {
  const files = [
    ...(Array.isArray(manifest.code) ? manifest.code : []),
    ...(Array.isArray(manifest.assets) ? manifest.assets : []),
  ] as { path?: unknown; size?: unknown; hash?: unknown }[];
  if (files.length === 0 && manifest.interface_version === undefined) return null;
  return h(
    "div",
    { class: "verification" },
    manifest.interface_version !== undefined
      ? h(
        "p",
        { class: "sub" },
        `Verified against SpellScript API ${String(manifest.interface_version)}`,
      )
      : null,
    h(
      "ul",
      { class: "files" },
      files.map((file) =>
        h(
          "li",
          {},
          mono(file.path),
          ` ${typeof file.size === "number" ? `${file.size} bytes` : ""} `,
          h("span", { class: "sub" }, `sha256 ${String(file.hash ?? "").slice(0, 12)}…`),
        )
      ),
    ),
  );
}

function pendingRevision(value: unknown): string | null {
  if (typeof value === "string" && value !== "") return value;
  if (
    value && typeof value === "object" &&
    typeof (value as { revision_id?: unknown }).revision_id === "string"
  ) {
    return (value as { revision_id: string }).revision_id;
  }
  return null;
}

/** The verifier's report: a list of capabilities, or named facts (each value shown as text). */
function capabilityReport(report: unknown): HTMLElement {
  if (Array.isArray(report)) {
    if (report.length === 0) return h("p", { class: "muted" }, "Uses no world capabilities.");
    return h(
      "ul",
      { class: "chips" },
      report.map((item) => h("li", {}, typeof item === "string" ? item : JSON.stringify(item))),
    );
  }
  if (report && typeof report === "object") {
    const entries = Object.entries(report as Record<string, unknown>);
    if (entries.length === 0) return h("p", { class: "muted" }, "Nothing reported.");
    return h(
      "dl",
      { class: "facts" },
      entries.map(([key, value]) => [
        h("dt", {}, key),
        h(
          "dd",
          {},
          Array.isArray(value)
            ? (value.length
              ? h(
                "ul",
                { class: "chips" },
                value.map((v) => h("li", {}, typeof v === "string" ? v : JSON.stringify(v))),
              )
              : h("span", { class: "muted" }, "none"))
            : typeof value === "string"
            ? userText(value)
            : JSON.stringify(value),
        ),
      ]),
    );
  }
  return h("p", { class: "muted" }, "No capability report for this revision.");
}

const codeCache = new Map<string, Promise<{ path: string; code: string }>>();
function codeOf(spellId: string, revisionId: string) {
  const key = `${spellId}/${revisionId}`;
  let cached = codeCache.get(key);
  if (!cached) {
    cached = api.get<{ path: string; code: string }>(
      adminPath("spells", spellId, "revisions", revisionId, "code"),
    );
    cached.catch(() => codeCache.delete(key));
    codeCache.set(key, cached);
  }
  return cached;
}

async function showCode(
  box: HTMLElement,
  spellId: string,
  revision: Revision,
  against?: Revision,
): Promise<void> {
  try {
    const current = await codeOf(spellId, revision.revision_id);
    if (!against) {
      const lines = current.code.split("\n");
      const hidden = lines.filter(hasInvisible).length;
      replace(
        box,
        h("div", { class: "code-meta" }, mono(current.path), ` · ${lines.length} lines`),
        hidden
          ? h(
            "p",
            { class: "banner bad", role: "alert" },
            `${hidden} line(s) contain hidden or reordering characters (shown as ⟨…⟩): the code may not do what it appears to.`,
          )
          : null,
        codeTable(lines.map((text, i) => ({ kind: "same" as const, text, newLine: i + 1 })), false),
      );
      return;
    }
    const old = await codeOf(spellId, against.revision_id);
    const diff = diffLines(old.code, current.code);
    const stats = diffStats(diff);
    replace(
      box,
      h(
        "div",
        { class: "code-meta" },
        `v${against.version} → v${revision.version}: `,
        h("span", { class: "added-count" }, `+${stats.added}`),
        " ",
        h("span", { class: "removed-count" }, `−${stats.removed}`),
      ),
      codeTable(diff, true),
    );
  } catch (error) {
    replace(box, failed(error, "the code"));
  }
}

type CodeLine = {
  kind: "same" | "added" | "removed";
  text: string;
  oldLine?: number;
  newLine?: number;
};

/** Unchanged lines kept around each change in a diff; longer unchanged runs fold into one row. */
const CONTEXT = 3;

function codeTable(lines: CodeLine[], diff: boolean): HTMLElement {
  const row = (line: CodeLine) =>
    h(
      "tr",
      { class: line.kind + (hasInvisible(line.text) ? " hidden-chars" : "") },
      diff
        ? h("td", { class: "ln", "aria-hidden": "true" }, line.oldLine ? String(line.oldLine) : "")
        : null,
      h("td", { class: "ln", "aria-hidden": "true" }, line.newLine ? String(line.newLine) : ""),
      diff
        ? h(
          "td",
          { class: "mark", "aria-hidden": "true" },
          line.kind === "added" ? "+" : line.kind === "removed" ? "−" : "",
        )
        : null,
      h("td", { class: "src" }, revealed(line.text)),
    );
  const body = h("tbody", {});
  if (!diff) {
    for (const line of lines) body.appendChild(row(line));
  } else {
    // Changes with CONTEXT lines around them; each longer unchanged run is one row that unfolds.
    const near = lines.map(() => false);
    lines.forEach((line, i) => {
      if (line.kind === "same") return;
      for (let j = Math.max(0, i - CONTEXT); j <= Math.min(lines.length - 1, i + CONTEXT); j++) {
        near[j] = true;
      }
    });
    let i = 0;
    while (i < lines.length) {
      if (near[i]) {
        body.appendChild(row(lines[i]!));
        i++;
        continue;
      }
      const start = i;
      while (i < lines.length && !near[i]) i++;
      const hidden = lines.slice(start, i);
      const fold = h(
        "tr",
        { class: "fold" },
        h(
          "td",
          { colspan: 4 },
          h("button", {
            type: "button",
            class: "link",
            onclick: () => fold.replaceWith(...hidden.map(row)),
          }, `⋯ ${hidden.length} unchanged line${hidden.length === 1 ? "" : "s"} (show)`),
        ),
      );
      body.appendChild(fold);
    }
  }
  return h("div", {
    class: "code",
    tabindex: 0,
    role: "region",
    "aria-label": diff ? "Diff" : "Code",
  }, h("table", {}, body));
}
