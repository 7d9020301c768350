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

export interface WorldRow {
  world_id: string;
  name: unknown;
  owner_id: unknown;
  player_count: number;
  op_count: number;
  created_at: unknown;
  last_active_at: unknown;
}

/** Every world with its live player count; clear or delete one. */
export function worldsView(): View {
  const body = h("div", {}, loading());
  const summary = h("span", {});
  let rows: WorldRow[] = [];

  const players = (row: WorldRow) => live.players.get(row.world_id) ?? 0;

  const render = () => {
    const sorted = [...rows].sort((a, b) =>
      players(b) - players(a) || String(b.last_active_at).localeCompare(String(a.last_active_at))
    );
    replace(
      summary,
      `${rows.length} worlds · ${
        [...live.players.values()].reduce((a, b) => a + b, 0)
      } players online`,
    );
    replaceKeepingFocus(
      body,
      table<WorldRow>({
        caption: "Worlds",
        rows: sorted,
        key: (row) => row.world_id,
        empty: "No worlds yet.",
        columns: [
          {
            label: "Name",
            cell: (row) =>
              h(
                "div",
                {},
                userText(row.name, { empty: "(unnamed)" }),
                h("div", { class: "sub" }, mono(row.world_id)),
              ),
          },
          {
            label: "Players",
            className: "num",
            cell: (row) =>
              h("span", {
                class: players(row) > 0 ? "live-count on" : "live-count",
                "data-players": row.world_id,
              }, String(players(row))),
          },
          {
            label: "Ops",
            className: "num",
            cell: (row) => (row.op_count ?? 0).toLocaleString("en"),
          },
          { label: "Creator", cell: (row) => principal(row.owner_id) },
          { label: "Created", cell: (row) => when(row.created_at) },
          { label: "Last active", cell: (row) => when(row.last_active_at) },
          {
            label: "Actions",
            className: "actions",
            cell: (row) => [
              actionButton("Clear", async () => {
                const ok = await ask({
                  title: "Clear this world?",
                  body: [
                    h(
                      "p",
                      {},
                      "Every voxel edit in ",
                      userText(row.name),
                      " is removed for everyone in it. This cannot be undone.",
                    ),
                  ],
                  action: "Clear world",
                  danger: true,
                });
                if (!ok) return null;
                await api.post(adminPath("worlds", row.world_id, "clear"));
                await load();
                return "World cleared";
              }, { title: "Remove every edit in this world" }),
              " ",
              actionButton("Delete", async () => {
                const ok = await ask({
                  title: "Delete this world?",
                  body: [
                    h(
                      "p",
                      {},
                      "The world ",
                      userText(row.name),
                      " and its edit log are deleted; players in it are moved out.",
                    ),
                  ],
                  action: "Delete world",
                  danger: true,
                });
                if (!ok) return null;
                await api.delete(adminPath("worlds", row.world_id));
                await load();
                return "World deleted";
              }, { kind: "danger", title: "Delete this world" }),
            ],
          },
        ],
      }),
    );
  };

  const load = async () => {
    try {
      rows = rowsOf<WorldRow>(await api.get(adminPath("worlds") + "?limit=500"), "worlds").rows;
      for (const row of rows) {
        live.worldNames.set(row.world_id, row.name);
        if (!live.players.has(row.world_id) && row.player_count > 0) {
          live.players.set(row.world_id, row.player_count);
        }
      }
      render();
    } catch (error) {
      replace(body, failed(error, "the world list"));
    }
  };
  const reload = debounce(load);

  load();
  const stop = live.listen((event) => {
    if (event.event === "world") {
      const worldId = String(event.data.world_id);
      const cell = body.querySelector(`[data-players="${CSS.escape(worldId)}"]`);
      if (!cell) return reload();
      const count = live.players.get(worldId) ?? 0;
      cell.textContent = String(count);
      cell.className = count > 0 ? "live-count on" : "live-count";
      replace(
        summary,
        `${rows.length} worlds · ${
          [...live.players.values()].reduce((a, b) => a + b, 0)
        } players online`,
      );
    }
    if (event.event === "changed" && (event.data.lists as string[]).includes("worlds")) reload();
  });

  return {
    element: h("section", { class: "view" }, header("Worlds", summary), body),
    dispose: stop,
  };
}
