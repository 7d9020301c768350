/// <reference lib="dom" />
/** Pieces every view uses: headers, tables, buttons that run an action, empty and error states. */
import { ApiError } from "./api.ts";
import { toast } from "./dialog.ts";
import { type Child, h, replace, userText } from "./dom.ts";
import { ago, exact } from "./format.ts";

export interface Column<T> {
  label: string;
  cell: (row: T) => Child;
  className?: string;
}

/** A table with a caption for screen readers; `key` marks rows so live updates can find them. */
export function table<T>(options: {
  caption: string;
  columns: Column<T>[];
  rows: T[];
  key: (row: T) => string;
  empty: string;
}): HTMLElement {
  if (options.rows.length === 0) return h("p", { class: "empty" }, options.empty);
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      {},
      h("caption", { class: "visually-hidden" }, options.caption),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          options.columns.map((column) =>
            h("th", { scope: "col", class: column.className }, column.label)
          ),
        ),
      ),
      h(
        "tbody",
        {},
        options.rows.map((row) =>
          h(
            "tr",
            { "data-key": options.key(row) },
            options.columns.map((column) => h("td", { class: column.className }, column.cell(row))),
          )
        ),
      ),
    ),
  );
}

/**
 * A button that runs `action`, disabled while it runs; a failure is shown (the server's message,
 * as text) and success is announced with `done`.
 */
export function actionButton(
  label: string,
  action: () => Promise<string | null | void>,
  options: { kind?: "danger" | "secondary" | "primary"; title?: string; small?: boolean } = {},
): HTMLButtonElement {
  const button = h("button", {
    type: "button",
    class: [options.kind ?? "secondary", options.small === false ? "" : "small"].join(" ").trim(),
    title: options.title,
  }, label);
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const done = await action();
      if (done) toast(done);
    } catch (error) {
      toast(errorText(error), "error");
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

export function errorText(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 404) return `Not found: ${error.message}`;
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

/** A view's heading with its controls on the right. */
export function header(title: string, subtitle: Child, ...controls: Child[]): HTMLElement {
  return h(
    "header",
    { class: "view-header" },
    h(
      "div",
      {},
      h("h1", { tabindex: -1 }, title),
      subtitle ? h("p", { class: "subtitle" }, subtitle) : null,
    ),
    h("div", { class: "controls" }, controls),
  );
}

export function badge(text: string, kind = ""): HTMLElement {
  return h("span", { class: `badge ${kind}`.trim() }, text);
}

/** A time shown relative ("5 min ago") with the exact time on hover. */
export function when(time: unknown): HTMLElement {
  return h(
    "time",
    { title: exact(time), datetime: typeof time === "string" ? time : undefined },
    ago(time),
  );
}

/** An id in monospace, kept whole. */
export function mono(text: unknown): HTMLElement {
  return h("code", { class: "id" }, text === null || text === undefined ? "—" : String(text));
}

/** What a list shows while it loads, and when loading failed. */
export function loading(): HTMLElement {
  return h("p", { class: "empty", role: "status" }, "Loading…");
}

export function failed(error: unknown, what: string): HTMLElement {
  const text = error instanceof ApiError && error.status === 404
    ? `${what} is not available on this server (the operator API answered 404).`
    : `Could not load ${what}: ${errorText(error)}`;
  return h("p", { class: "error-box", role: "alert" }, text);
}

/** A principal (`{kind, id, name?}` or a plain id) as "player Alice (p_…)" / "guest" / "operator". */
export function principal(value: unknown): Child {
  if (value && typeof value === "object") {
    const record = value as { kind?: unknown; id?: unknown; name?: unknown };
    const kind = typeof record.kind === "string" ? record.kind : "?";
    return h(
      "span",
      { class: "principal" },
      badge(kind, kind),
      " ",
      typeof record.name === "string" && record.name !== "" ? [userText(record.name), " "] : null,
      mono(record.id),
    );
  }
  return mono(value);
}

/** Calls `run` at most once per `ms`, trailing: a burst of hints is one refetch. */
export function debounce(run: () => void, ms = 300): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return () => {
    if (timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      run();
    }, ms);
  };
}

/**
 * `replace`, keeping the keyboard where it was: if focus was on a control in a keyed row, the
 * same control of the same row has it afterwards (live updates rebuild tables under the cursor).
 */
export function replaceKeepingFocus(container: HTMLElement, ...children: Child[]): void {
  const active = document.activeElement as HTMLElement | null;
  const inside = active !== null && container.contains(active);
  const key = inside ? active.closest("[data-key]")?.getAttribute("data-key") : null;
  const label = inside ? active.textContent : null;
  replace(container, ...children);
  if (key === null || key === undefined) return;
  const row = container.querySelector(`[data-key="${CSS.escape(key)}"]`);
  const controls = row ? [...row.querySelectorAll<HTMLElement>("button, a, [tabindex]")] : [];
  (controls.find((control) => control.textContent === label) ?? controls[0])?.focus();
}
