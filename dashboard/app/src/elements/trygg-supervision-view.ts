/**
 * Supervision at a glance, for technicians and the response centre: alarm buttons whose monthly
 * user test is overdue (a reminder), and — with `flaky` — the devices heard in too few of their
 * heartbeat slots over 24 hours or 30 days, flaky before they fail. Phone first: one column.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { localized, msg, str } from '@lit/localize';
import type { FlakyList, UserTestsDue } from '@trygg/alarm-core';
import { errorMessage } from '../api.js';
import { fetchFlakyDevices, fetchUserTestsDue } from '../data/supervision.js';
import { ago, kindLabel } from '../device-labels.js';
import { shared } from '../styles.js';

const pct = (share: number | null) => (share === null ? '–' : `${Math.floor(share * 1000) / 10} %`);
const hours = (s: number | null) => (s === null ? '–' : `${Math.round((s / 3600) * 10) / 10} h`);

@customElement('trygg-supervision-view')
@localized()
export class TryggSupervisionView extends LitElement {
  static override styles = [
    shared,
    css`
      :host {
        display: grid;
        gap: 1rem;
      }
      ul {
        list-style: none;
        padding: 0;
        margin: 0;
        display: grid;
        gap: 0.5rem;
      }
      li {
        border: 1px solid var(--trygg-line);
        border-radius: 0.5rem;
        padding: 0.5rem 0.75rem;
        display: grid;
        gap: 0.125rem;
      }
      .due {
        border-left: 6px solid var(--trygg-call);
        background: #fff4d6;
      }
      small {
        color: var(--trygg-muted);
      }
      h3 {
        margin: 0;
      }
    `,
  ];

  @property() token = '';
  /** Show the flaky list too (technicians); the reminder alone for the response centre. */
  @property({ type: Boolean }) flaky = false;
  @state() private _due: UserTestsDue | null = null;
  @state() private _flaky: FlakyList | null = null;
  @state() private _error: string | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.reload();
  }

  async reload(): Promise<void> {
    try {
      const [due, flaky] = await Promise.all([
        fetchUserTestsDue(this.token),
        this.flaky ? fetchFlakyDevices(this.token) : Promise.resolve(null),
      ]);
      this._due = due;
      this._flaky = flaky;
      this._error = null;
    } catch (err) {
      this._error = errorMessage(err);
    }
  }

  override render() {
    if (this._error) return html`<p role="alert">${this._error}</p>`;
    if (!this._due) return html`<p>${msg('Loading …', { id: 'devices.loading' })}</p>`;
    const due = this._due;
    return html`
      <section data-testid="user-tests-due" aria-labelledby="due-title">
        <h3 id="due-title">${msg('User test overdue', { id: 'supervision.due-title' })}</h3>
        ${
          due.devices.length === 0
            ? html`<p>${msg('Every alarm button has had its user test.', { id: 'supervision.due-none' })}</p>`
            : html`<ul>
                ${due.devices.map(
                  (d) =>
                    html`<li class="due" data-device=${d.deviceId}>
                      <strong>${d.residentName}</strong>
                      <span>${kindLabel(d.kind)} · ${d.deviceId}</span>
                      <small
                        >${msg(str`Last user test: ${ago(d.lastTestAt)} (every ${due.intervalDays} days)`, {
                          id: 'supervision.due-last',
                        })}</small
                      >
                    </li>`,
                )}
              </ul>`
        }
      </section>
      ${this._flaky ? this._renderFlaky(this._flaky) : null}
    `;
  }

  private _renderFlaky(list: FlakyList) {
    return html`<section data-testid="flaky" aria-labelledby="flaky-title">
      <h3 id="flaky-title">${msg('Flaky devices', { id: 'supervision.flaky-title' })}</h3>
      <p>
        <small
          >${msg(str`Heard in fewer than ${pct(list.threshold)} of their heartbeat slots.`, { id: 'supervision.flaky-rule' })}</small
        >
      </p>
      ${
        list.devices.length === 0
          ? html`<p>${msg('No device is flaky.', { id: 'supervision.flaky-none' })}</p>`
          : html`<ul>
              ${list.devices.map(
                (d) =>
                  html`<li data-device=${d.deviceId}>
                    <strong>${kindLabel(d.kind)} · ${d.deviceId}</strong>
                    ${d.residentName ? html`<span>${d.residentName}</span>` : null}
                    <span
                      >${msg(str`24 h: ${pct(d.day.share)}, longest silence ${hours(d.day.longestSilenceS)}`, {
                        id: 'supervision.flaky-day',
                      })}</span
                    >
                    <span
                      >${msg(str`30 days: ${pct(d.month.share)}, longest silence ${hours(d.month.longestSilenceS)}`, {
                        id: 'supervision.flaky-month',
                      })}</span
                    >
                    <small>${msg('Last heartbeat', { id: 'device.last-heartbeat' })}: ${ago(d.lastSeenAt)}</small>
                  </li>`,
              )}
            </ul>`
      }
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'trygg-supervision-view': TryggSupervisionView;
  }
}
