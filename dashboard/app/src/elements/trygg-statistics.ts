/**
 * Service levels for the response centre, per site: alarms per hour over the last 24 h (a bar
 * chart), the share accepted within 60 s and 180 s (bars against the goal), and the time to
 * accept and to resolve. Every chart has its numbers in text beside it, for screen readers and
 * for anyone who wants the figure rather than the picture.
 */
import { LitElement, css, html, svg } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { localized, msg, str } from '@lit/localize';
import type { SiteStats } from '@trygg/alarm-core';
import { errorMessage } from '../api.js';
import { fetchStatistics } from '../data/statistics.js';
import { formatDuration } from '../labels.js';
import { shared } from '../styles.js';

const pct = (n: number, of: number) => (of === 0 ? 0 : Math.round((100 * n) / of));
const dur = (s: number | null) => (s === null ? '–' : formatDuration(Math.round(s)));

@customElement('trygg-statistics')
@localized()
export class TryggStatistics extends LitElement {
  static override styles = [
    shared,
    css`
      :host {
        display: grid;
        gap: 1rem;
      }
      h2 {
        margin: 0;
      }
      .site {
        background: var(--trygg-surface);
        border: 2px solid var(--trygg-line);
        border-radius: 8px;
        padding: 1rem;
        display: grid;
        gap: 0.75rem;
      }
      h3 {
        margin: 0;
      }
      svg {
        width: 100%;
        max-width: 48rem;
        height: auto;
      }
      dl {
        display: grid;
        grid-template-columns: max-content 1fr;
        gap: 0.25rem 1rem;
        margin: 0;
      }
      dt {
        font-weight: 600;
      }
      dd {
        margin: 0;
      }
      label {
        font-weight: 600;
      }
    `,
  ];

  @property({ attribute: false }) token = '';
  @state() private _sites: SiteStats[] | null = null;
  @state() private _days = 7;
  @state() private _error = '';

  override connectedCallback(): void {
    super.connectedCallback();
    void this._load();
  }

  private async _load(): Promise<void> {
    try {
      this._sites = (await fetchStatistics(this.token, this._days)).sites;
      this._error = '';
    } catch (err) {
      this._error = errorMessage(err);
    }
  }

  private _hours(s: SiteStats, titleId: string) {
    const max = Math.max(1, ...s.perHour);
    const w = 20;
    const h = 100;
    return html`<svg viewBox="0 0 ${s.perHour.length * w} ${h + 16}" role="img" aria-labelledby=${titleId}>
      ${s.perHour.map((n, i) => {
        const bh = (n / max) * h;
        return svg`<rect x=${i * w + 2} y=${h - bh} width=${w - 4} height=${bh} fill="#0b3d91"><title>${n}</title></rect>
          ${i % 6 === 0 ? svg`<text x=${i * w} y=${h + 14} font-size="11" fill="#3d4654">−${24 - i} h</text>` : null}`;
      })}
    </svg>`;
  }

  private _levels(s: SiteStats, titleId: string) {
    const bars = [
      { label: '≤ 60 s', value: pct(s.within60, s.alarms) },
      { label: '≤ 180 s', value: pct(s.within180, s.alarms) },
    ];
    return html`<svg viewBox="0 0 400 60" role="img" aria-labelledby=${titleId}>
      ${bars.map(
        (b, i) => svg`<text x="0" y=${i * 28 + 17} font-size="13" fill="#111">${b.label}</text>
          <rect x="70" y=${i * 28 + 4} width="300" height="18" fill="#e3e7ee"></rect>
          <rect x="70" y=${i * 28 + 4} width=${3 * b.value} height="18" fill=${b.value >= 90 ? '#1d6b33' : '#a4001d'}></rect>
          <text x="375" y=${i * 28 + 17} font-size="13" fill="#111">${b.value} %</text>`,
      )}
    </svg>`;
  }

  override render() {
    return html`
      <h2>${msg('Statistics', { id: 'stats.title' })}</h2>
      <p>
        <label for="days">${msg('Period', { id: 'stats.period' })}</label>
        <select
          id="days"
          @change=${(e: Event) => {
            this._days = Number((e.target as HTMLSelectElement).value);
            void this._load();
          }}
        >
          ${[1, 7, 30].map((d) => html`<option value=${d} ?selected=${d === this._days}>${msg(str`Last ${d} days`, { id: 'stats.days' })}</option>`)}
        </select>
      </p>
      ${this._error ? html`<p role="alert">${this._error}</p>` : null}
      ${this._sites?.length === 0 ? html`<p>${msg('No alarms in this period.', { id: 'stats.none' })}</p>` : null}
      ${(this._sites ?? []).map((s) => {
        const name = s.name ?? msg('Living at home', { id: 'stats.home' });
        const hoursId = `hours-${s.site}`;
        const levelsId = `levels-${s.site}`;
        return html`<section class="site" data-site=${s.site} aria-label=${name}>
          <h3>${name}</h3>
          <dl>
            <dt>${msg('Alarms', { id: 'stats.alarms' })}</dt>
            <dd data-testid="alarms">${s.alarms}</dd>
            <dt>${msg('Accepted within 60 s', { id: 'stats.within60' })}</dt>
            <dd data-testid="within60">${pct(s.within60, s.alarms)} %</dd>
            <dt>${msg('Accepted within 180 s', { id: 'stats.within180' })}</dt>
            <dd data-testid="within180">${pct(s.within180, s.alarms)} %</dd>
            <dt>${msg('Time to accept (median / 90 %)', { id: 'stats.accept' })}</dt>
            <dd>${dur(s.acceptP50S)} / ${dur(s.acceptP90S)}</dd>
            <dt>${msg('Time to resolve (median / 90 %)', { id: 'stats.resolve' })}</dt>
            <dd>${dur(s.resolveP50S)} / ${dur(s.resolveP90S)}</dd>
          </dl>
          <p id=${levelsId}>${msg('Share accepted within 60 s and 180 s', { id: 'stats.levels' })}</p>
          ${this._levels(s, levelsId)}
          <p id=${hoursId}>${msg('Alarms per hour, last 24 hours', { id: 'stats.per-hour' })}: ${s.perHour.join(', ')}</p>
          ${this._hours(s, hoursId)}
        </section>`;
      })}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'trygg-statistics': TryggStatistics;
  }
}
