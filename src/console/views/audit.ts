/// <reference lib="dom" />
import { adminPath, api } from "../api.ts";
import { type Child, h, replace, userText } from "../dom.ts";
import { live } from "../live.ts";
import {
  debounce,
  failed,
  header,
  loading,
  mono,
  replaceKeepingFocus,
  table,
  when,
} from "../ui.ts";
import type { View } from "./view.ts";

interface AuditEntry {
  id: string | number;
  at: unknown;
  actor: unknown;
  address: unknown;
  action: string;
  target: unknown;
  detail: unknown;
}

/** What the server records (docs/ADMIN_API.md), offered as the action filter's suggestions. */
const ACTIONS = [
  "publish",
  "publish.requested",
  "quarantine",
  "report.resolve",
  "ban.create",
  "ban.delete",
  "connection.kick",
  "player.revoke",
  "world.clear",
  "world.delete",
];

/** An entry's detail: each field as "name: value", values as text. */
function detailOf(detail: unknown): Child {
  if (detail === null || detail === undefined || detail === "") return userText("");
  if (typeof detail !== "object" || Array.isArray(detail)) {
    return userText(typeof detail === "string" ? detail : JSON.stringify(detail));
  }
  const entries = Object.entries(detail as Record<string, unknown>).filter(([, v]) =>
    v !== "" && v !== null && v !== undefined
  );
  if (entries.length === 0) return userText("");
  return h(
    "dl",
    { class: "detail" },
    entries.map(([key, value]) => [
      h("dt", {}, key),
      h("dd", {}, userText(typeof value === "string" ? value : JSON.stringify(value))),
    ]),
  );
}

/** Every operator action and every publish, newest first, filterable by who, what and since when. */
export function auditView(): View {
  const actor = h("input", {
    id: "audit-actor",
    type: "text",
    placeholder: "operator, a player id…",
    autocomplete: "off",
  });
  const action = h("input", {
    id: "audit-action",
    type: "text",
    list: "audit-actions",
    placeholder: "quarantine, ban.create…",
    autocomplete: "off",
  });
  const actions = h(
    "datalist",
    { id: "audit-actions" },
    ACTIONS.map((name) => h("option", { value: name })),
  );
  const since = h(
    "select",
    { id: "audit-since" },
    [["", "All time"], ["3600", "Last hour"], ["86400", "Last day"], ["604800", "Last 7 days"]].map(
      ([value, label]) => h("option", { value }, label),
    ),
  );
  const body = h("div", {}, loading());
  const more = h("div", {});
  let entries: AuditEntry[] = [];

  const query = (cursor?: string) => {
    const params = new URLSearchParams({ limit: "100" });
    if (actor.value.trim()) params.set("actor", actor.value.trim());
    if (action.value.trim()) params.set("action", action.value.trim());
    if (since.value) {
      params.set("since", new Date(Date.now() - Number(since.value) * 1000).toISOString());
    }
    if (cursor) params.set("cursor", cursor);
    return adminPath("audit") + "?" + params;
  };

  const load = async (cursor?: string) => {
    try {
      const page = await api.page<AuditEntry>(query(cursor), "entries");
      entries = cursor ? [...entries, ...page.rows] : page.rows;
      replaceKeepingFocus(
        body,
        table<AuditEntry>({
          caption: "Audit log",
          rows: entries,
          key: (row) => String(row.id),
          empty: "Nothing matches.",
          columns: [
            { label: "When", cell: (row) => when(row.at) },
            {
              label: "Actor",
              cell: (row) =>
                h("div", {}, mono(row.actor), h("div", { class: "sub" }, mono(row.address))),
            },
            { label: "Action", cell: (row) => h("strong", {}, row.action) },
            { label: "Target", cell: (row) => mono(row.target) },
            {
              label: "Detail",
              className: "wide",
              cell: (row) => detailOf(row.detail),
            },
          ],
        }),
      );
      replace(
        more,
        page.next
          ? h("button", {
            type: "button",
            class: "secondary",
            onclick: () => load(page.next!),
          }, "Load older entries")
          : null,
      );
    } catch (error) {
      replace(body, failed(error, "the audit log"));
    }
  };

  const form = h(
    "form",
    {
      class: "filters",
      role: "search",
      onsubmit: (event: Event) => {
        event.preventDefault();
        load();
      },
    },
    h("div", { class: "field" }, h("label", { for: "audit-actor" }, "Actor"), actor),
    h("div", { class: "field" }, h("label", { for: "audit-action" }, "Action"), action, actions),
    h("div", { class: "field" }, h("label", { for: "audit-since" }, "Since"), since),
    h("button", { type: "submit", class: "primary" }, "Filter"),
  );
  load();
  const reload = debounce(() => load(), 500);
  const stop = live.listen((event) => {
    if (event.event === "changed" && (event.data.lists as string[]).includes("audit")) reload();
  });
  return {
    element: h(
      "section",
      { class: "view" },
      header("Audit log", "Append-only: every operator action and every publish."),
      form,
      body,
      more,
    ),
    dispose: stop,
  };
}
