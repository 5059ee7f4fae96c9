// A small SVG line chart for one series over time (events/s, lag): no chart library needed for two lines.
import { html } from 'htm/preact';

export interface SparklineProps {
  readonly label: string;
  readonly unit: string;
  readonly points: readonly { readonly t: number; readonly v: number | null }[];
  /** Time span shown, ending now. */
  readonly spanMs: number;
  readonly now: number;
  readonly width?: number;
  readonly height?: number;
}

function fmt(v: number): string {
  if (v >= 1000) return `${(v / 1000).toFixed(1)}k`;
  if (v >= 10) return v.toFixed(0);
  return v.toFixed(v === 0 ? 0 : 2);
}

export function Sparkline(props: SparklineProps) {
  const width = props.width ?? 360;
  const height = props.height ?? 70;
  const pad = 4;
  const values = props.points.filter((p) => p.v !== null) as { t: number; v: number }[];
  const max = Math.max(1e-9, ...values.map((p) => p.v));
  const start = props.now - props.spanMs;
  const x = (t: number): number => pad + ((t - start) / props.spanMs) * (width - 2 * pad);
  const y = (v: number): number => height - pad - (v / max) * (height - 2 * pad);
  const path = values.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ');
  const last = values[values.length - 1];
  return html`<figure class="spark">
    <figcaption>${props.label}: <b>${last ? `${fmt(last.v)} ${props.unit}` : '–'}</b> <small>(max ${values.length ? fmt(max) : '–'})</small></figcaption>
    <svg width=${width} height=${height} viewBox="0 0 ${width} ${height}" role="img" aria-label=${props.label}>
      <rect x="0" y="0" width=${width} height=${height} class="spark-bg" />
      ${values.length > 0
        ? html`<path d=${path} class="spark-line" />
            ${values.length === 1 ? html`<circle cx=${x(values[0]!.t)} cy=${y(values[0]!.v)} r="2" class="spark-dot" />` : null}`
        : html`<text x=${width / 2} y=${height / 2} text-anchor="middle" class="spark-empty">no data in the last hour</text>`}
    </svg>
  </figure>`;
}
