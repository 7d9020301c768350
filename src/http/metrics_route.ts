import { Metrics } from "../core/metrics.ts";
import type { Router } from "./http_app.ts";

/** Live values sampled at scrape time. */
export interface Gauges {
  connections(): Record<string, number>;
  worlds(): Promise<number>;
  buildQueueDepth(): number;
}

/** `GET /metrics` in the Prometheus text exposition format (version 0.0.4). */
export function metricsRoute(router: Router, metrics: Metrics, gauges: Gauges): void {
  router.get("/metrics", async () =>
    new Response(await renderMetrics(metrics, gauges), {
      headers: {
        "content-type": "text/plain; version=0.0.4; charset=utf-8",
        "cache-control": "no-store",
      },
    }));
}

export async function renderMetrics(metrics: Metrics, gauges: Gauges): Promise<string> {
  const worlds = await gauges.worlds();
  const out: string[] = [];
  const family = (name: string, type: string, help: string, samples: [string, number][]) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) out.push(`${name}${labels} ${value}`);
  };
  const labelled = (label: string, map: Map<string, number> | Record<string, number>) =>
    [...(map instanceof Map ? map : Object.entries(map))].sort(([a], [b]) => a.localeCompare(b))
      .map(([key, value]): [string, number] => [`{${label}="${escapeLabel(key)}"}`, value]);

  family(
    "ugc_connections",
    "gauge",
    "Open connections by transport.",
    labelled("transport", gauges.connections()),
  );
  family("ugc_worlds", "gauge", "Worlds stored on this server.", [["", worlds]]);
  family(
    "ugc_messages_received_total",
    "counter",
    "Client messages received, by type.",
    labelled("type", metrics.receivedByType),
  );
  family(
    "ugc_messages_sent_total",
    "counter",
    "Messages delivered to clients, by type.",
    labelled("type", metrics.sentByType),
  );
  family("ugc_bytes_sent_total", "counter", "Bytes of JSON delivered to clients.", [[
    "",
    metrics.bytesSent,
  ]]);
  family("ugc_raw_bytes_received_total", "counter", "Bytes of raw WebSocket frames received.", [[
    "",
    metrics.rawBytesReceived,
  ]]);
  family(
    "ugc_messages_rejected_total",
    "counter",
    "Messages answered with an error, by code.",
    labelled("code", metrics.rejectedByCode),
  );
  family("ugc_build_queue_depth", "gauge", "Builds queued or running.", [[
    "",
    gauges.buildQueueDepth(),
  ]]);
  family(
    "ugc_builds_total",
    "counter",
    "Finished builds, by outcome.",
    labelled("outcome", metrics.buildsByOutcome),
  );
  out.push(
    "# HELP ugc_build_duration_seconds Time from a build's start to its end.",
    "# TYPE ugc_build_duration_seconds histogram",
  );
  Metrics.BUILD_BUCKETS.forEach((bound, i) => {
    out.push(`ugc_build_duration_seconds_bucket{le="${bound}"} ${metrics.buildBuckets[i]}`);
  });
  out.push(
    `ugc_build_duration_seconds_bucket{le="+Inf"} ${metrics.buildCount}`,
    `ugc_build_duration_seconds_sum ${metrics.buildSecondsSum}`,
    `ugc_build_duration_seconds_count ${metrics.buildCount}`,
  );
  return out.join("\n") + "\n";
}

function escapeLabel(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
}
