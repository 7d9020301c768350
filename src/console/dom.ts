/// <reference lib="dom" />
/**
 * The one way the console makes DOM: elements by name, attributes from an allowed list, and every
 * string as a text node. Nothing here parses markup, so a world called `<img src=x onerror=…>` is
 * shown as those characters (the page's Trusted Types policy would refuse markup anyway).
 * @module
 */
import { hasInvisible, splitInvisible } from "./text.ts";

export { hasInvisible };

/** Attributes the console sets; anything else is a programming error, refused loudly. */
const ALLOWED_ATTRIBUTES = new Set([
  "id",
  "class",
  "type",
  "name",
  "for",
  "list",
  "href",
  "role",
  "title",
  "value",
  "placeholder",
  "autocomplete",
  "tabindex",
  "colspan",
  "scope",
  "min",
  "max",
  "step",
  "required",
  "disabled",
  "checked",
  "selected",
  "hidden",
  "autofocus",
  "spellcheck",
  "datetime",
  "lang",
  "dir",
]);

export type Child = Node | string | number | null | undefined | false | Child[];

export interface Attributes {
  [name: string]: string | number | boolean | undefined | ((event: Event) => void);
}

/**
 * `h("button", { class: "danger", onclick: kick }, "Kick ", name)`: an element whose string
 * children become text nodes. `on…` keys add listeners; `aria-*` and `data-*` are allowed;
 * `href` must be an in-page link (`#…`).
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2), value);
      continue;
    }
    if (typeof value === "function") throw new Error(`${name} is not an event`);
    if (!ALLOWED_ATTRIBUTES.has(name) && !/^(aria|data)-[a-z-]+$/.test(name)) {
      throw new Error(`attribute ${name} is not allowed`);
    }
    if (name === "href" && !String(value).startsWith("#")) {
      throw new Error("only in-page links");
    }
    element.setAttribute(name, value === true ? "" : String(value));
  }
  append(element, children);
  return element;
}

/** Appends children: strings and numbers as text nodes, arrays flattened, empties skipped. */
export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else if (child instanceof Node) parent.appendChild(child);
    else parent.appendChild(document.createTextNode(String(child)));
  }
}

/** Replaces everything in `parent` with `children`. */
export function replace(parent: Node, ...children: Child[]): void {
  while (parent.firstChild) parent.removeChild(parent.firstChild);
  append(parent, children);
}

/**
 * `text` as nodes with every reordering or invisible character replaced by a visible marker
 * (`⟨RLO⟩`), so what is shown is the order the computer reads.
 */
export function revealed(text: string): Child[] {
  return splitInvisible(text).map((part) =>
    typeof part === "string" ? part : h(
      "span",
      { class: "invisible", title: `U+${part.code} (hidden in the original)` },
      `⟨${part.name}⟩`,
    )
  );
}

/**
 * A string someone else chose (a world or spell name, a reason): shown as text, isolated from the
 * text around it (`<bdi>`), its hidden characters revealed and flagged.
 */
export function userText(text: unknown, options: { empty?: string } = {}): HTMLElement {
  const value = typeof text === "string"
    ? text
    : text === null || text === undefined
    ? ""
    : String(text);
  if (value === "") return h("span", { class: "muted" }, options.empty ?? "—");
  const flagged = hasInvisible(value);
  return h(
    "bdi",
    {
      class: flagged ? "user flagged" : "user",
      title: flagged ? "Contains hidden characters" : undefined,
    },
    revealed(value),
  );
}
