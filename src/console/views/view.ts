/// <reference lib="dom" />
/** A screen of the console: its element, and what to stop when the operator leaves it. */
export interface View {
  element: HTMLElement;
  dispose?: () => void;
}

/** `params`: the path after the view's name (`#/spells/<id>` → `[id]`). */
export type ViewFactory = (params: string[]) => View;
