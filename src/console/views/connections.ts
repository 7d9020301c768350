/// <reference lib="dom" />
import { adminPath, api, rowsOf } from "../api.ts";
import { ask } from "../dialog.ts";
import { h, replace, userText } from "../dom.ts";
import { until } from "../format.ts";
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

interface Connection {
  session_id: string;
  transport: string;
  address: string;
  principal: { kind?: string; id?: string; name?: string } | string | null;
  world_id: string | null;
  connected_at: unknown;
  /** Cluster mode: the node the connection is on. */
  node_id?: unknown;
}

interface Ban {
  ban_id: string;
  player_id?: string | null;
  address?: string | null;
  reason: unknown;
  expires_at: unknown;
  created_at: unknown;
}

const DURATIONS: [string, string][] = [
  ["3600", "1 hour"],
  ["86400", "1 day"],
  ["604800", "7 days"],
  ["2592000", "30 days"],
  ["", "Until lifted"],
];

/** Who is connected, from where, in which world; kick or ban; the bans in force. */
export function connectionsView(): View {
  const list = h("div", {}, loading());
  const bans = h("div", {}, loading());
  const summary = h("span", {});
  let all: Connection[] = [];
  const filter = h("input", {
    id: "connection-filter",
    type: "search",
    placeholder: "Filter: address, player, world…",
    autocomplete: "off",
    "aria-label": "Filter connections",
    oninput: () => reload(),
  });

  const ban = async (connection: Connection) => {
    const player =
      typeof connection.principal === "object" && connection.principal?.kind === "player"
        ? connection.principal.id
        : undefined;
    const answer = await ask({
      title: "Ban",
      body: [h("p", {}, "The ban disconnects now and refuses new connections until it expires.")],
      fields: [
        {
          name: "target",
          label: "Ban",
          kind: "select",
          options: [
            ...(player ? [["player", `the player ${player}`] as [string, string]] : []),
            ["address", `the address ${connection.address}`],
          ],
          value: player ? "player" : "address",
        },
        { name: "duration", label: "For", kind: "select", options: DURATIONS, value: "86400" },
        {
          name: "reason",
          label: "Reason (kept in the audit log)",
          kind: "textarea",
          required: true,
        },
      ],
      action: "Ban",
      danger: true,
    });
    if (!answer) return null;
    const body: Record<string, unknown> = { reason: answer.reason };
    if (answer.target === "player" && player) body.player_id = player;
    else body.address = connection.address;
    if (answer.duration) body.duration_s = Number(answer.duration);
    await api.post(adminPath("bans"), body);
    await Promise.all([load(), loadBans()]);
    return "Banned";
  };

  const load = async () => {
    try {
      if (live.worldNames.size === 0) {
        const worlds = rowsOf<{ world_id: string; name: unknown }>(
          await api.get(adminPath("worlds") + "?limit=500").catch(() => []),
          "worlds",
        ).rows;
        for (const world of worlds) live.worldNames.set(world.world_id, world.name);
      }
      all = rowsOf<Connection>(await api.get(adminPath("connections")), "connections").rows;
      const needle = filter.value.trim().toLowerCase();
      const rows = needle === "" ? all : all.filter((row) => searchText(row).includes(needle));
      replace(
        summary,
        needle === ""
          ? `${all.length} open connections`
          : `${rows.length} of ${all.length} open connections match`,
      );
      replaceKeepingFocus(
        list,
        table<Connection>({
          caption: "Connections",
          rows,
          key: (row) => row.session_id,
          empty: "No one is connected.",
          columns: [
            {
              label: "Address",
              cell: (row) =>
                h("div", {}, mono(row.address), h("div", { class: "sub" }, mono(row.session_id))),
            },
            {
              label: "Transport",
              cell: (row) => badge(row.transport === "websocket" ? "raw ws" : row.transport),
            },
            // In cluster mode the listing spans every node; say which one holds each connection.
            ...(all.some((row) => row.node_id !== undefined)
              ? [{ label: "Node", cell: (row: Connection) => mono(String(row.node_id ?? "")) }]
              : []),
            { label: "Identity", cell: (row) => principal(row.principal) },
            {
              label: "World",
              cell: (row) =>
                row.world_id
                  ? h(
                    "div",
                    {},
                    live.worldNames.has(row.world_id)
                      ? userText(live.worldNames.get(row.world_id))
                      : null,
                    h("div", { class: "sub" }, mono(row.world_id)),
                  )
                  : h("span", { class: "muted" }, "not in a world"),
            },
            { label: "Connected", cell: (row) => when(row.connected_at) },
            {
              label: "Actions",
              className: "actions",
              cell: (row) => [
                actionButton("Kick", async () => {
                  await api.post(adminPath("connections", row.session_id, "kick"), {
                    reason: "Kicked by an operator",
                  });
                  await load();
                  return "Kicked";
                }, { title: "Close this connection now; it may reconnect" }),
                " ",
                actionButton("Ban…", () => ban(row), { kind: "danger" }),
              ],
            },
          ],
        }),
      );
    } catch (error) {
      replace(list, failed(error, "connections"));
    }
  };

  const loadBans = async () => {
    try {
      const rows = rowsOf<Ban>(await api.get(adminPath("bans")), "bans").rows;
      replaceKeepingFocus(
        bans,
        table<Ban>({
          caption: "Bans",
          rows,
          key: (row) => row.ban_id,
          empty: "No bans in force.",
          columns: [
            {
              label: "Who",
              cell: (row) =>
                row.player_id
                  ? [badge("player"), " ", mono(row.player_id)]
                  : [badge("address"), " ", mono(row.address)],
            },
            { label: "Reason", className: "wide", cell: (row) => userText(row.reason) },
            { label: "Since", cell: (row) => when(row.created_at) },
            { label: "Ends", cell: (row) => until(row.expires_at) },
            {
              label: "Actions",
              className: "actions",
              cell: (row) =>
                actionButton("Lift", async () => {
                  await api.delete(adminPath("bans", row.ban_id));
                  await loadBans();
                  return "Ban lifted";
                }),
            },
          ],
        }),
      );
    } catch (error) {
      replace(bans, failed(error, "bans"));
    }
  };

  const reload = debounce(load);
  load();
  loadBans();
  let last = "";
  const stop = live.listen((event) => {
    if (event.event === "stats") {
      const key = JSON.stringify(event.data.connections) + event.data.players;
      if (key !== last) reload();
      last = key;
    }
    if (event.event === "world") reload();
    if (event.event === "changed" && (event.data.lists as string[]).includes("connections")) {
      reload();
    }
  });
  return {
    element: h(
      "section",
      { class: "view" },
      header("Connections", summary, filter),
      list,
      h("div", { class: "panel" }, h("h2", {}, "Bans"), bans),
    ),
    dispose: stop,
  };
}

/** What the filter box matches: address, session, identity and world (id and name). */
function searchText(row: Connection): string {
  const principal = typeof row.principal === "object" && row.principal
    ? `${row.principal.id ?? ""} ${row.principal.name ?? ""} ${row.principal.kind ?? ""}`
    : String(row.principal ?? "");
  const world = row.world_id
    ? `${row.world_id} ${String(live.worldNames.get(row.world_id) ?? "")}`
    : "";
  const node = row.node_id === undefined ? "" : String(row.node_id);
  return `${row.address} ${row.session_id} ${row.transport} ${principal} ${world} ${node}`
    .toLowerCase();
}
