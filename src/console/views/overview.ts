/// <reference lib="dom" />
import { adminPath, api, rowsOf } from "../api.ts";
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
  // Not a live region: numbers that move every second would drown a screen reader.
  const cards = h("div", { class: "cards" });
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
        `${stats.builds_per_min}/min · ${stats.builds_completed} done · ${stats.builds_failed} failed`,
        "queue",
        "#/jobs",
      ),
      card(
        "Errors",
        compact(stats.internal_errors ?? 0),
        `server errors · ${compact(stats.errors)} messages refused since start`,
        "errors",
      ),
      extra.open_reports !== undefined
        ? card(
          "Open reports",
          String(extra.open_reports),
          "waiting for a decision",
          "reports",
          "#/reports",
        )
        : null,
      extra.players !== undefined
        ? card("Registered players", String(extra.players), "with a player token", "registered")
        : null,
      extra.spells !== undefined
        ? card("Spells", String(extra.spells), "stored on this server", "spells", "#/spells")
        : null,
    );
  };

  const renderCharts = () => {
    const now = Date.now();
    const history = live.history;
    // The last hour, or the server's life so far if it is younger (at least a minute).
    const spanMs = Math.min(3_600_000, Math.max(60_000, now - (history[0]?.t ?? now)));
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
        h(
          "figcaption",
          {},
          spanMs >= 3_600_000
            ? "Connections and players, last hour"
            : "Connections and players since start",
        ),
        lineChart([
          {
            label: "connections",
            className: "s1",
            points: withNow(history.map((s) => [s.t, s.connections]), totalConnections()),
          },
          {
            label: "players",
            className: "s2",
            points: withNow(history.map((s) => [s.t, s.players]), live.stats?.players),
          },
        ], { title: "Connections and players over the last hour", now, spanMs }),
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
        h(
          "figcaption",
          {},
          spanMs >= 3_600_000
            ? "Messages per second, last hour"
            : "Messages per second since start",
        ),
        lineChart([
          { label: "in", className: "s1", points: rate((s) => s.messages_in) },
          { label: "out", className: "s2", points: rate((s) => s.messages_out) },
          { label: "refused", className: "s3", points: rate((s) => s.errors) },
        ], { title: "Messages per second over the last hour", now, spanMs }),
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
            live.worldNames.has(worldId) ? userText(live.worldNames.get(worldId)) : mono(worldId),
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
      const body = await api.get<unknown>(adminPath("worlds") + "?limit=500");
      for (const row of rowsOf<{ world_id: string; name: unknown }>(body, "worlds").rows) {
        live.worldNames.set(row.world_id, row.name);
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
    if (event.event === "hello" || event.event === "sample") renderCharts();
    if (event.event === "world" || event.event === "hello") {
      renderBusiest();
      render();
    }
    if (event.event === "changed") reloadExtra();
  });

  return {
    element: h(
      "section",
      { class: "view" },
      header("Overview", "What is happening on this server, live."),
      cards,
      charts,
      busiest,
    ),
    dispose: stop,
  };
}

/** The series with the value now as its last point, so the line reaches the right edge. */
function withNow(points: [number, number][], value: number | undefined): [number, number][] {
  return value === undefined ? points : [...points, [Date.now(), value]];
}

function totalConnections(): number | undefined {
  const stats = live.stats;
  return stats ? Object.values(stats.connections).reduce((a, b) => a + b, 0) : undefined;
}
