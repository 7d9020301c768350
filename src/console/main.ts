/// <reference lib="dom" />
/**
 * The operator console: sign in with the admin token, then one view at a time (`#/overview`,
 * `#/worlds`, …) kept live by the admin event stream. Served by `GET /admin` from the server's own
 * binary (src/http/console_routes.ts); built by `deno task console`.
 * @module
 */
import { openStream, type StreamState, tokenStore, whenUnauthorized } from "./api.ts";
import { h, replace } from "./dom.ts";
import { live } from "./live.ts";
import { auditView } from "./views/audit.ts";
import { connectionsView } from "./views/connections.ts";
import { jobsView } from "./views/jobs.ts";
import { overviewView } from "./views/overview.ts";
import { reportsView } from "./views/reports.ts";
import { spellsView } from "./views/spells.ts";
import type { View, ViewFactory } from "./views/view.ts";
import { worldsView } from "./views/worlds.ts";

const VIEWS: { path: string; label: string; key: string; make: ViewFactory }[] = [
  { path: "overview", label: "Overview", key: "1", make: overviewView },
  { path: "worlds", label: "Worlds", key: "2", make: worldsView },
  { path: "spells", label: "Spells", key: "3", make: spellsView },
  { path: "reports", label: "Reports", key: "4", make: reportsView },
  { path: "connections", label: "Connections", key: "5", make: connectionsView },
  { path: "jobs", label: "Jobs", key: "6", make: jobsView },
  { path: "audit", label: "Audit log", key: "7", make: auditView },
];

const app = document.getElementById("app")!;
let stream: { close: () => void } | undefined;
let current: View | undefined;

function signIn(message?: string): void {
  stream?.close();
  stream = undefined;
  current?.dispose?.();
  current = undefined;
  const token = h("input", {
    id: "token",
    type: "password",
    name: "token",
    autocomplete: "current-password",
    required: true,
    spellcheck: "false",
    "aria-describedby": "token-help",
  });
  const remember = h("input", { id: "remember", type: "checkbox", checked: true });
  const error = h("p", { class: "error-text", role: "alert", id: "signin-error" }, message ?? "");
  const submit = h("button", { type: "submit", class: "primary" }, "Sign in");
  const form = h(
    "form",
    {
      class: "signin",
      onsubmit: async (event: Event) => {
        event.preventDefault();
        submit.disabled = true;
        replace(error, "");
        tokenStore.save(token.value.trim(), remember.checked);
        const status = await start();
        submit.disabled = false;
        if (status === 401) {
          tokenStore.clear();
          replace(error, "That is not this server's admin token.");
          token.select();
        } else if (status !== 200) {
          tokenStore.clear();
          replace(error, `The server did not answer (${status || "no connection"}). Try again.`);
        }
      },
    },
    h(
      "div",
      { class: "brand big" },
      h("span", { class: "logo", "aria-hidden": "true" }),
      "UGC World",
    ),
    h("h1", {}, "Operator console"),
    h("label", { for: "token" }, "Admin token"),
    token,
    h(
      "p",
      { id: "token-help", class: "help" },
      "Printed once when the server first started, and kept in its data directory (admin_token). It stays in this tab only.",
    ),
    h("label", { class: "check" }, remember, " Stay signed in while this tab is open"),
    error,
    submit,
  );
  replace(app, h("main", { class: "signin-page" }, form));
  token.focus();
}

/** Opens the event stream with the stored token; shows the console once it is accepted. */
async function start(): Promise<number> {
  stream?.close();
  const status = h("span", { class: "stream-state", role: "status" }, "Connecting…");
  const opened = openStream({
    event: (event) => live.receive(event),
    state: (state: StreamState) => {
      status.className = `stream-state ${state}`;
      replace(
        status,
        state === "live" ? "Live" : state === "connecting" ? "Connecting…" : "Reconnecting…",
      );
    },
  });
  stream = opened;
  const code = await Promise.race([
    opened.opened,
    new Promise<number>((resolve) => setTimeout(() => resolve(0), 20_000)),
  ]);
  if (code !== 200) {
    opened.close();
    stream = undefined;
    return code;
  }
  shell(status);
  return 200;
}

function shell(status: HTMLElement): void {
  const nav = h(
    "nav",
    { class: "sidebar", "aria-label": "Console" },
    h("div", { class: "brand" }, h("span", { class: "logo", "aria-hidden": "true" }), "UGC World"),
    h(
      "ul",
      {},
      VIEWS.map((view) =>
        h(
          "li",
          {},
          h(
            "a",
            {
              href: `#/${view.path}`,
              "data-view": view.path,
              title: `${view.label} (key ${view.key})`,
            },
            h("span", {}, view.label),
            h("kbd", {}, view.key),
          ),
        )
      ),
    ),
    h(
      "div",
      { class: "sidebar-foot" },
      status,
      h("button", {
        type: "button",
        class: "secondary small",
        onclick: () => {
          tokenStore.clear();
          signIn("Signed out.");
        },
      }, "Sign out"),
    ),
  );
  const main = h("main", { id: "main", tabindex: -1 });
  replace(
    app,
    h("a", { href: "#main", class: "skip" }, "Skip to content"),
    h("div", { class: "layout" }, nav, main),
    h("div", { id: "toasts", "aria-live": "polite" }),
  );
  // The skip link moves focus without touching the route.
  app.querySelector(".skip")!.addEventListener("click", (event) => {
    event.preventDefault();
    main.focus();
  });
  route();
}

function route(): void {
  const main = document.getElementById("main");
  if (!main) return;
  const parts = location.hash.replace(/^#\/?/, "").split("/").filter(Boolean).map((part) => {
    try {
      return decodeURIComponent(part);
    } catch {
      return "";
    }
  });
  const view = VIEWS.find((v) => v.path === parts[0]) ?? VIEWS[0]!;
  current?.dispose?.();
  current = view.make(parts.slice(1));
  replace(main, current.element);
  for (const link of document.querySelectorAll<HTMLAnchorElement>(".sidebar a[data-view]")) {
    if (link.dataset.view === view.path) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  document.title = `${view.label} · UGC World console`;
  (main.querySelector("h1") as HTMLElement | null)?.focus({ preventScroll: true });
}

globalThis.addEventListener("hashchange", route);
document.addEventListener("keydown", (event: KeyboardEvent) => {
  if (event.altKey || event.ctrlKey || event.metaKey || !document.getElementById("main")) return;
  const target = event.target as HTMLElement;
  if (target.closest("input, textarea, select, dialog")) return;
  const view = VIEWS.find((v) => v.key === event.key);
  if (view) {
    event.preventDefault();
    location.hash = `#/${view.path}`;
  }
});
whenUnauthorized(() => {
  if (tokenStore.value !== null) {
    tokenStore.clear();
    signIn("The server no longer accepts that token. Sign in again.");
  }
});

if (tokenStore.load()) {
  start().then((code) => {
    if (code !== 200) signIn(code === 401 ? "Your session ended. Sign in again." : undefined);
  });
} else {
  signIn();
}
