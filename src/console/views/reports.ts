/// <reference lib="dom" />
import { adminPath, api, rowsOf } from "../api.ts";
import { ask } from "../dialog.ts";
import { h, replace, userText } from "../dom.ts";
import { live } from "../live.ts";
import {
  actionButton,
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

interface Report {
  report_id: string;
  spell_id: string;
  revision_id: string;
  reason: unknown;
  reporter: unknown;
  address: unknown;
  created_at: unknown;
  status: string;
  note: unknown;
}

/** Reports players sent about spells: open ones first; resolve one with a note. */
export function reportsView(params: string[]): View {
  const status = params[0] === "resolved" ? "resolved" : "open";
  const body = h("div", {}, loading());
  const load = async () => {
    try {
      const rows =
        rowsOf<Report>(await api.get(adminPath("reports") + `?status=${status}`), "reports").rows;
      replaceKeepingFocus(
        body,
        table<Report>({
          caption: `${status} reports`,
          rows,
          key: (row) => row.report_id,
          empty: status === "open"
            ? "No open reports. Nothing needs a decision."
            : "No resolved reports yet.",
          columns: [
            { label: "Reported", cell: (row) => when(row.created_at) },
            {
              label: "Spell revision",
              cell: (row) =>
                h(
                  "a",
                  {
                    href: `#/spells/${encodeURIComponent(row.spell_id)}/${
                      encodeURIComponent(row.revision_id)
                    }`,
                  },
                  mono(row.spell_id),
                  " ",
                  mono(row.revision_id),
                ),
            },
            {
              label: "Reason",
              className: "wide",
              cell: (row) => h("div", { class: "reason" }, userText(row.reason)),
            },
            {
              label: "Reporter",
              cell: (row) =>
                h(
                  "div",
                  {},
                  principal(row.reporter),
                  h("div", { class: "sub" }, mono(row.address)),
                ),
            },
            status === "open"
              ? {
                label: "Actions",
                className: "actions",
                cell: (row) => [
                  h("a", {
                    class: "button small secondary",
                    href: `#/spells/${encodeURIComponent(row.spell_id)}/${
                      encodeURIComponent(row.revision_id)
                    }`,
                  }, "Review code"),
                  " ",
                  actionButton("Resolve…", async () => {
                    const answer = await ask({
                      title: "Resolve this report",
                      body: [h("p", { class: "quote" }, userText(row.reason))],
                      fields: [{
                        name: "note",
                        label: "Note (what you decided and why)",
                        kind: "textarea",
                        required: true,
                      }],
                      action: "Resolve",
                    });
                    if (!answer) return null;
                    await api.post(adminPath("reports", row.report_id, "resolve"), {
                      note: answer.note,
                    });
                    await load();
                    return "Report resolved";
                  }, { kind: "primary" }),
                ],
              }
              : { label: "Note", className: "wide", cell: (row) => userText(row.note) },
          ],
        }),
      );
    } catch (error) {
      replace(body, failed(error, "reports"));
    }
  };
  const reload = debounce(load);
  load();
  const stop = live.listen((event) => {
    if (event.event === "changed" && (event.data.lists as string[]).includes("reports")) reload();
  });
  return {
    element: h(
      "section",
      { class: "view" },
      header(
        "Reports",
        "What players flagged. Open the code, then quarantine or resolve.",
        h(
          "nav",
          { class: "tabs", "aria-label": "Report status" },
          h(
            "a",
            { href: "#/reports", "aria-current": status === "open" ? "page" : undefined },
            "Open",
          ),
          h("a", {
            href: "#/reports/resolved",
            "aria-current": status === "resolved" ? "page" : undefined,
          }, "Resolved"),
        ),
      ),
      body,
    ),
    dispose: stop,
  };
}
