/// <reference lib="dom" />
/** A small line chart in SVG, drawn from numbers only (no user text reaches it). */

const SVG = "http://www.w3.org/2000/svg";

function svg(tag: string, attributes: Record<string, string | number>): SVGElement {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  return element;
}

export interface Series {
  /** [epoch ms, value] */
  points: [number, number][];
  label: string;
  /** CSS class of the line (its colour comes from the stylesheet). */
  className: string;
}

/**
 * A chart of the last hour: time on x (now at the right edge), values on y from 0 to the largest
 * (at least 1), gridlines at a quarter, half and the top, labelled. `title` is its accessible name.
 */
export function lineChart(
  series: Series[],
  options: { title: string; now: number; spanMs: number },
): SVGElement {
  const width = 640;
  const height = 180;
  const left = 44;
  const right = 8;
  const top = 10;
  const bottom = 22;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const max = Math.max(1, ...series.flatMap((s) => s.points.map(([, v]) => v)));
  const niceMax = nice(max);
  const x = (t: number) =>
    left + plotW * (1 - Math.min(1, Math.max(0, (options.now - t) / options.spanMs)));
  const y = (v: number) => top + plotH * (1 - v / niceMax);

  const root = svg("svg", {
    viewBox: `0 0 ${width} ${height}`,
    class: "chart",
    role: "img",
    "aria-label": options.title,
  });
  for (const fraction of [0, 0.5, 1]) {
    const value = niceMax * fraction;
    root.appendChild(
      svg("line", { x1: left, x2: width - right, y1: y(value), y2: y(value), class: "grid" }),
    );
    const label = svg("text", {
      x: left - 6,
      y: y(value) + 4,
      class: "axis",
      "text-anchor": "end",
    });
    label.textContent = formatTick(value);
    root.appendChild(label);
  }
  for (const [fraction, anchor] of [[1, "start"], [0.5, "middle"], [0, "end"]] as const) {
    const label = svg("text", {
      x: x(options.now - fraction * options.spanMs),
      y: height - 6,
      class: "axis",
      "text-anchor": anchor,
    });
    label.textContent = fraction === 0 ? "now" : `−${ago(fraction * options.spanMs)}`;
    root.appendChild(label);
  }
  series.forEach((line, index) => {
    if (line.points.length === 0) return;
    const path = line.points.map(([t, v], i) =>
      `${i === 0 ? "M" : "L"}${x(t).toFixed(1)},${y(v).toFixed(1)}`
    )
      .join(" ");
    const area = `${path} L${x(line.points.at(-1)![0]).toFixed(1)},${y(0)} L${
      x(line.points[0]![0]).toFixed(1)
    },${y(0)} Z`;
    // Only the first series is filled: overlapping fills would muddy each other.
    if (index === 0) root.appendChild(svg("path", { d: area, class: `area ${line.className}` }));
    root.appendChild(svg("path", { d: path, class: `line ${line.className}` }));
  });
  return root;
}

function nice(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (value <= step * power) return step * power;
  }
  return 10 * power;
}

function formatTick(value: number): string {
  if (value >= 1000) return `${Math.round(value / 100) / 10}k`;
  return String(Math.round(value * 10) / 10);
}

function ago(ms: number): string {
  return ms >= 120_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`;
}
