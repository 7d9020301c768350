/// <reference lib="deno.worker" />
/**
 * The idle pinger's own thread: one raw WebSocket client that sends `ping` every `everyMs` and
 * times each `pong` (they come back in order). It runs off the load generator's event loop, so a
 * generator busy with hundreds of other clients cannot delay reading a pong and inflate the round
 * trip: what it measures is the server, as an idle player on another machine would see it.
 * @module
 */
import type { PingSample, PingWorkerReply, PingWorkerRequest } from "./clients.ts";

const MAX_PINGS = 100_000;
let ws: WebSocket | undefined;
let opened = false;
let timer: ReturnType<typeof setInterval> | undefined;
const pings: PingSample[] = [];
const pending: PingSample[] = [];
const reply = (message: PingWorkerReply) => self.postMessage(message);
/** Wall-clock milliseconds, comparable with the main thread's (each isolate has its own origin). */
const now = () => performance.timeOrigin + performance.now();

self.onmessage = async (event: MessageEvent<PingWorkerRequest>) => {
  const request = event.data;
  if (request.kind === "open") {
    ws = new WebSocket(request.url);
    ws.onmessage = (message) => {
      const frame = JSON.parse(String(message.data)) as { type?: string };
      if (frame.type === "connected" && !opened) {
        opened = true;
        reply({ kind: "opened" });
      }
      if (frame.type !== "pong") return;
      const ping = pending.shift();
      if (ping) ping.rtt = now() - ping.sentAt;
    };
    ws.onerror = () => {
      if (!opened) reply({ kind: "failed", reason: `cannot connect to ${request.url}` });
    };
  } else if (request.kind === "start") {
    clearInterval(timer);
    timer = setInterval(() => {
      if (pings.length >= MAX_PINGS || ws?.readyState !== WebSocket.OPEN) return;
      const ping: PingSample = { sentAt: now() };
      pings.push(ping);
      pending.push(ping);
      ws.send('{"type":"ping"}');
    }, request.everyMs);
  } else if (request.kind === "stop") {
    clearInterval(timer);
    const deadline = performance.now() + request.waitMs;
    while (pending.length > 0 && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    reply({ kind: "stopped", pings, unanswered: pending.length });
  } else {
    ws?.close();
    self.close();
  }
};
