/// <reference lib="dom" />
import { adminPath, api, rowsOf } from "../api.ts";
import { h, replace, userText } from "../dom.ts";
import { type JobRow, live } from "../live.ts";
import { badge, debounce, failed, header, mono, principal, when } from "../ui.ts";
import type { View } from "./view.ts";

const STATUS_KIND: Record<string, string> = {
  pending: "",
  running: "warn",
  completed: "ok",
  failed: "bad",
};

/** Builds, newest first, each row stepping live; failures with their reasons. */
export function jobsView(): View {
  const body = h("div", {});
  let apiError: unknown = null;

  const row = (job: JobRow) =>
    h(
      "tr",
      {
        "data-job": job.job_id,
        "data-status": job.status,
        "data-updates": String(job.updates ?? 0),
      },
      h("td", {}, mono(job.job_id)),
      h(
        "td",
        {},
        h("a", { href: `#/spells/${encodeURIComponent(job.spell_id)}` }, mono(job.spell_id)),
      ),
      h("td", {}, badge(job.status, STATUS_KIND[job.status] ?? "")),
      h(
        "td",
        { class: "progress-cell" },
        h("progress", {
          class: job.status === "failed" ? "failed" : undefined,
          max: 100,
          value: job.status === "completed" ? 100 : job.progress_pct ?? 0,
          "aria-label": `${job.job_id} progress`,
        }),
        h(
          "span",
          { class: "sub" },
          ` ${job.stage ?? ""} ${job.status === "completed" ? 100 : job.progress_pct ?? 0}%`,
        ),
      ),
      h(
        "td",
        { class: "wide" },
        job.error_message
          ? h("span", { class: "error-text" }, userText(job.error_message))
          : job.revision_id
          ? ["→ ", mono(job.revision_id)]
          : userText(job.message, { empty: "" }),
      ),
      h(
        "td",
        {},
        job.requested_by ? principal(job.requested_by) : h("span", { class: "muted" }, "—"),
      ),
      h("td", {}, when(job.created_at)),
    );

  const render = () => {
    const jobs = [...live.jobs.values()].sort((a, b) =>
      String(b.created_at).localeCompare(String(a.created_at))
    ).slice(0, 200);
    if (jobs.length === 0) {
      replace(
        body,
        apiError ? failed(apiError, "past jobs") : null,
        h("p", { class: "empty" }, "No builds yet. New ones appear here as they are queued."),
      );
      return;
    }
    replace(
      body,
      apiError ? failed(apiError, "past jobs") : null,
      h(
        "div",
        { class: "table-wrap" },
        h(
          "table",
          { class: "jobs" },
          h("caption", { class: "visually-hidden" }, "Build jobs"),
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              ["Job", "Spell", "Status", "Progress", "Result", "Requested by", "Queued"].map((
                label,
              ) => h("th", { scope: "col" }, label)),
            ),
          ),
          h("tbody", {}, jobs.map(row)),
        ),
      ),
    );
  };

  const load = async () => {
    try {
      live.mergeJobs(rowsOf<JobRow>(await api.get(adminPath("jobs") + "?limit=100"), "jobs").rows);
      apiError = null;
    } catch (error) {
      apiError = error;
    }
    render();
  };

  render();
  load();
  const rerender = debounce(render, 50);
  const stop = live.listen((event) => {
    if (event.event !== "job") return;
    const job = live.jobs.get(String(event.data.job_id));
    const existing = body.querySelector(`tr[data-job="${CSS.escape(String(event.data.job_id))}"]`);
    if (job && existing) existing.replaceWith(row(job));
    else rerender();
  });
  return {
    element: h("section", { class: "view" }, header("Jobs", "Spell builds as they run."), body),
    dispose: stop,
  };
}
