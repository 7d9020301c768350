/// <reference lib="dom" />
import { adminPath, api } from "../api.ts";
import { lineChart } from "../chart.ts";
import { h, replace, userText } from "../dom.ts";
import { compact } from "../format.ts";
import { live, type Sample } from "../live.ts";
import { debounce, header, mono } from "../ui.ts";
import type { View } from "./view.ts";

/** Extra counts only the operator API knows (players with tokens, spells, open reports). */
interface Overview {
  players?: number;
  spells?: number;
  open_reports?: number;
  [key: string]: unknown;
}

/** Connections, worlds, builds and errors now, and the last hour as two small charts. */
export function overviewView(): View {
  const cards = h("div", { class: "cards", "aria-live": "polite" });
  const charts = h("div", { class: "charts" });
  const busiest = h("div", { class: "panel" });
  let extra: Overview = {};

  const card = (label: string, value: string, detail: string, id: string, href?: string) =>
    h(
      "div",
      { class: "card", "data-stat": id },
      h("div", { class: "card-label" }, label),
      href
        ? h("a", { href, class: "card-value" }, value)
        : h("div", { class: "card-value" }, value),
      h("div", { class: "card-detail" }, detail),
    );

  const render = () => {
    const stats = live.stats;
    if (!stats) {
      replace(cards, h("p", { class: "empty" }, "Waiting for the server…"));
      return;
    }
    const byTransport = Object.entries(stats.connections);
    const total = byTransport.reduce((sum, [, n]) => sum + n, 0);
    replace(
      cards,
      card(
        "Connections",
        String(total),
        byTransport.map(([transport, n]) => `${n} ${transport === "websocket" ? "raw" : transport}`)
          .join(" · ") ||
          "none",
        "connections",
        "#/connections",
      ),
      card(
        "Players in worlds",
        String(stats.players),
        `in ${live.players.size} populated worlds`,
        "players",
        "#/worlds",
      ),
      card("Worlds", String(stats.worlds), "stored on this server", "worlds", "#/worlds"),
      card(
        "Build queue",
        String(stats.build_queue),
        `${stats.builds_per_min} builds in the last minute`,
        "queue",
        "#/jobs",
      ),
      card(
        "Builds",
        compact(stats.builds_completed + stats.builds_failed),
        `${stats.builds_failed} failed since start`,
        "builds",
        "#/jobs",
      ),
      card("Errors", compact(stats.errors), "messages refused since start", "errors"),
      extra.open_reports !== undefined
        ? card(
          "Open reports",
          String(extra.open_reports),
          "waiting for a decision",
          "reports",
          "#/reports",
        )
        : null,
      extra.spells !== undefined
        ? card("Spells", String(extra.spells), "with at least one revision", "spells", "#/spells")
        : null,
    );
  };

  const renderCharts = () => {
    const now = Date.now();
    const history = live.history;
    const rate = (pick: (sample: Sample) => number) => {
      const points: [number, number][] = [];
      for (let i = 1; i < history.length; i++) {
        const a = history[i - 1]!;
        const b = history[i]!;
        const seconds = Math.max(1, (b.t - a.t) / 1000);
        points.push([b.t, Math.max(0, (pick(b) - pick(a)) / seconds)]);
      }
      return points;
    };
    replace(
      charts,
      h(
        "figure",
        { class: "panel" },
        h("figcaption", {}, "Connections and players, last hour"),
        lineChart([
          {
            label: "connections",
            className: "s1",
            points: history.map((s) => [s.t, s.connections]),
          },
          { label: "players", className: "s2", points: history.map((s) => [s.t, s.players]) },
        ], { title: "Connections and players over the last hour", now, spanMs: 3_600_000 }),
        h(
          "div",
          { class: "legend" },
          h("span", { class: "key s1" }, "connections"),
          h("span", { class: "key s2" }, "players"),
        ),
      ),
      h(
        "figure",
        { class: "panel" },
        h("figcaption", {}, "Messages per second, last hour"),
        lineChart([
          { label: "in", className: "s1", points: rate((s) => s.messages_in) },
          { label: "out", className: "s2", points: rate((s) => s.messages_out) },
          { label: "refused", className: "s3", points: rate((s) => s.errors) },
        ], { title: "Messages per second over the last hour", now, spanMs: 3_600_000 }),
        h(
          "div",
          { class: "legend" },
          h("span", { class: "key s1" }, "received"),
          h("span", { class: "key s2" }, "sent"),
          h("span", { class: "key s3" }, "refused"),
        ),
      ),
    );
  };

  const names = new Map<string, unknown>();
  const renderBusiest = () => {
    const top = [...live.players].sort((a, b) => b[1] - a[1]).slice(0, 6);
    replace(
      busiest,
      h("h2", {}, "Busiest worlds now"),
      top.length === 0 ? h("p", { class: "empty" }, "No one is in a world.") : h(
        "ol",
        { class: "busiest" },
        top.map(([worldId, count]) =>
          h(
            "li",
            { "data-world": worldId },
            h("span", { class: "count" }, String(count)),
            " ",
            names.has(worldId) ? userText(names.get(worldId)) : mono(worldId),
          )
        ),
      ),
    );
  };

  const loadExtra = async () => {
    try {
      extra = await api.get<Overview>(adminPath("overview"));
    } catch {
      extra = {};
    }
    try {
      const body = await api.get<unknown>(adminPath("worlds") + "?limit=200");
      const rows = Array.isArray(body) ? body : (body as { worlds?: unknown[] })?.worlds ?? [];
      for (const row of rows as { world_id: string; name: unknown }[]) {
        names.set(row.world_id, row.name);
      }
    } catch {
      // names are a nicety
    }
    render();
    renderBusiest();
  };
  const reloadExtra = debounce(loadExtra, 500);

  render();
  renderCharts();
  renderBusiest();
  loadExtra();
  const stop = live.listen((event) => {
    if (event.event === "stats" || event.event === "hello") render();
    if (event.event === "hello") renderCharts();
    if (event.event === "world" || event.event === "hello") {
      renderBusiest();
      render();
    }
    if (event.event === "changed") reloadExtra();
  });
  // A new chart point every 10 s: redrawn on that beat from the history the stream keeps.
  const redraw = setInterval(() => {
    if (live.stats) {
      live.history.push({
        t: Date.now(),
        connections: Object.values(live.stats.connections).reduce((a, b) => a + b, 0),
        players: live.stats.players,
        messages_in: live.stats.messages_in,
        messages_out: live.stats.messages_out,
        errors: live.stats.errors,
        builds: live.stats.builds_completed + live.stats.builds_failed,
      });
      while (live.history.length > 361) live.history.shift();
    }
    renderCharts();
  }, 10_000);

  return {
    element: h(
      "section",
      { class: "view" },
      header("Overview", "What is happening on this server, live."),
      cards,
      charts,
      busiest,
    ),
    dispose: () => {
      stop();
      clearInterval(redraw);
    },
  };
}
