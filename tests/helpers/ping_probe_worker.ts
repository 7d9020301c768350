/// <reference lib="deno.worker" />
/**
 * A bystander player on its own thread: one raw WebSocket client that sends `ping` every
 * `everyMs` without waiting for the previous `pong` and times each round trip (pongs come back in
 * order). Off the test's event loop, so an attack the test itself drives cannot delay reading a
 * pong: what it measures is the server.
 * @module
 */
import type { ProbeReply, ProbeRequest } from "./ping_probe.ts";

const MAX_PINGS = 50_000;
let ws: WebSocket | undefined;
let timer: ReturnType<typeof setInterval> | undefined;
const rtts: number[] = [];
const pending: number[] = [];

self.onmessage = async (event: MessageEvent<ProbeRequest>) => {
  const request = event.data;
  const reply = (message: ProbeReply) => self.postMessage(message);
  if (request.kind === "open") {
    ws = new WebSocket(request.url);
    ws.onmessage = (message) => {
      const frame = JSON.parse(String(message.data)) as { type?: string };
      if (frame.type === "connected") reply({ kind: "opened" });
      if (frame.type !== "pong") return;
      const sentAt = pending.shift();
      if (sentAt !== undefined) rtts.push(performance.now() - sentAt);
    };
    ws.onerror = () => reply({ kind: "failed", reason: `cannot connect to ${request.url}` });
    ws.onclose = () => reply({ kind: "failed", reason: "the probe was disconnected" });
  } else if (request.kind === "start") {
    rtts.length = 0;
    timer = setInterval(() => {
      if (rtts.length + pending.length >= MAX_PINGS || ws?.readyState !== WebSocket.OPEN) return;
      pending.push(performance.now());
      ws.send('{"type":"ping"}');
    }, request.everyMs);
  } else {
    clearInterval(timer);
    const deadline = performance.now() + request.waitMs;
    while (pending.length > 0 && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    // Pings never answered count as lasting until now.
    for (const sentAt of pending.splice(0)) rtts.push(performance.now() - sentAt);
    reply({ kind: "stopped", rtts: [...rtts] });
  }
};
