/**
 * A small line chart of one metric over time, drawn as SVG: battery (%) or signal (dBm). The
 * latest value is also given in words, so the chart is never the only way to read it.
 */
import { LitElement, css, html, svg } from 'lit';
import { customElement, property } from 'lit/decorators.js';

export interface Point {
  t: string;
  v: number;
}

const W = 300;
const H = 80;

@customElement('trygg-telemetry-chart')
export class TryggTelemetryChart extends LitElement {
  static override styles = css`
    :host {
      display: block;
    }
    figure {
      margin: 0;
    }
    figcaption {
      font-weight: 600;
      display: flex;
      justify-content: space-between;
      gap: 0.5rem;
    }
    svg {
      width: 100%;
      height: auto;
      display: block;
    }
    .axis {
      stroke: #9aa3b0;
      stroke-width: 1;
    }
    .line {
      fill: none;
      stroke: var(--trygg-primary, #0b3d91);
      stroke-width: 2;
    }
    .empty {
      color: #3d4654;
      margin: 0;
    }
  `;

  @property({ attribute: false }) points: Point[] = [];
  @property() label = '';
  @property() unit = '';
  /** Fixed value range, e.g. [0, 100] for battery, [-120, -30] for signal. */
  @property({ attribute: false }) range: [number, number] = [0, 100];

  override render() {
    const pts = this.points;
    const last = pts.at(-1);
    return html`<figure data-testid="chart" data-points=${pts.length}>
      <figcaption><span>${this.label}</span><span>${last ? `${Math.round(last.v)} ${this.unit}` : '–'}</span></figcaption>
      ${pts.length === 0 ? html`<p class="empty">–</p>` : this._svg(pts)}
    </figure>`;
  }

  private _svg(pts: Point[]) {
    const t0 = Date.parse(pts[0]?.t ?? '');
    const t1 = Date.parse(pts.at(-1)?.t ?? '');
    const span = Math.max(1, t1 - t0);
    const [lo, hi] = this.range;
    const x = (t: string) => (pts.length === 1 ? W / 2 : ((Date.parse(t) - t0) / span) * (W - 4) + 2);
    const y = (v: number) => H - 2 - ((Math.min(hi, Math.max(lo, v)) - lo) / (hi - lo)) * (H - 4);
    const d = pts.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ');
    return html`<svg viewBox="0 0 ${W} ${H}" role="img" aria-label=${`${this.label}: ${pts.length}`}>
      ${svg`<line class="axis" x1="0" y1=${H - 1} x2=${W} y2=${H - 1}></line>
      <path class="line" d=${d}></path>
      ${pts.length === 1 ? svg`<circle cx=${x(pts[0]?.t ?? '')} cy=${y(pts[0]?.v ?? 0)} r="3" fill="currentColor"></circle>` : null}`}
    </svg>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'trygg-telemetry-chart': TryggTelemetryChart;
  }
}
