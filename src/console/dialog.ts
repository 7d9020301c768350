/// <reference lib="dom" />
/**
 * Confirmations and small forms in a modal `<dialog>`: focus moves into it, Escape cancels, and
 * focus returns to the button that opened it. (Never `confirm()`/`prompt()`.)
 */
import { type Child, h } from "./dom.ts";

export interface Field {
  name: string;
  label: string;
  kind: "text" | "textarea" | "select";
  options?: [value: string, label: string][];
  value?: string;
  required?: boolean;
  placeholder?: string;
}

/**
 * Shows `title`, `body` and `fields`; resolves with the fields' values when the operator presses
 * the action button, or null when they cancel.
 */
export function ask(options: {
  title: string;
  body?: Child[];
  fields?: Field[];
  action: string;
  danger?: boolean;
}): Promise<Record<string, string> | null> {
  const opener = document.activeElement as HTMLElement | null;
  const openerKey = opener?.closest("[data-key]")?.getAttribute("data-key");
  return new Promise((resolve) => {
    const inputs = new Map<string, HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>();
    const fields = (options.fields ?? []).map((field, index) => {
      const id = `dialog-field-${index}`;
      let input: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;
      if (field.kind === "select") {
        input = h(
          "select",
          { id, name: field.name },
          (field.options ?? []).map(([value, label]) =>
            h("option", { value, selected: value === field.value }, label)
          ),
        );
      } else if (field.kind === "textarea") {
        input = h("textarea", {
          id,
          name: field.name,
          required: field.required,
          placeholder: field.placeholder,
        });
        input.value = field.value ?? "";
      } else {
        input = h("input", {
          id,
          name: field.name,
          type: "text",
          required: field.required,
          placeholder: field.placeholder,
          autocomplete: "off",
        });
        input.value = field.value ?? "";
      }
      inputs.set(field.name, input);
      return h("div", { class: "field" }, h("label", { for: id }, field.label), input);
    });
    let result: Record<string, string> | null = null;
    const form = h(
      "form",
      {
        onsubmit: (event: Event) => {
          event.preventDefault();
          result = Object.fromEntries([...inputs].map(([name, input]) => [name, input.value]));
          dialog.close();
        },
      },
      h("h2", {}, options.title),
      h("div", { class: "dialog-body" }, options.body ?? []),
      fields,
      h(
        "div",
        { class: "dialog-actions" },
        h(
          "button",
          { type: "button", class: "secondary", onclick: () => dialog.close() },
          "Cancel",
        ),
        h(
          "button",
          { type: "submit", class: options.danger ? "danger" : "primary" },
          options.action,
        ),
      ),
    );
    const dialog = h("dialog", { "aria-label": options.title }, form);
    dialog.addEventListener("close", () => {
      dialog.remove();
      // A live update may have rebuilt the opener's row meanwhile: then its twin in the new row.
      const twin = openerKey === null || openerKey === undefined
        ? null
        : [...document.querySelectorAll<HTMLElement>(
          `[data-key="${CSS.escape(openerKey)}"] button`,
        )].find((button) => button.textContent === opener?.textContent);
      (opener?.isConnected ? opener : twin ?? document.querySelector<HTMLElement>("main h1"))
        ?.focus();
      resolve(result);
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    (form.querySelector("input, textarea, select") as HTMLElement | null ??
      form.querySelector("button[type=submit]") as HTMLElement).focus();
  });
}

/** A short message at the bottom of the screen, read out by screen readers. */
export function toast(message: string, kind: "ok" | "error" = "ok"): void {
  const region = document.getElementById("toasts");
  if (!region) return;
  const item = h(
    "div",
    { class: `toast ${kind}`, role: kind === "error" ? "alert" : "status" },
    message,
  );
  region.appendChild(item);
  setTimeout(() => item.remove(), kind === "error" ? 8000 : 4000);
}
