/**
 * One alarm in full: its escalation (who was alerted, who answered what, what comes next), how
 * it was resolved, and its history in plain sentences. Loaded from the API when opened and
 * again whenever the alarm's version moves, so it follows the live queue.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { localized, msg, str } from '@lit/localize';
import type { Alarm, TimelineEntry, NamedDeliveryFact } from '@trygg/alarm-core';
import { errorMessage } from '../api.js';
import { fetchAlarm } from '../data/alarms.js';
import { recordUserTest } from '../data/supervision.js';
import { formatClock, formatTime, stateLabel, subjectName, subjectPlace, typeLabel } from '../labels.js';
import { actionLabel, causeLabel } from '../resolution-codes.js';
import { shared } from '../styles.js';
import { timelineSentence } from '../timeline-text.js';
import './trygg-escalation-view.js';
import './trygg-resident-card.js';

@customElement('trygg-alarm-details')
@localized()
export class TryggAlarmDetails extends LitElement {
  static override styles = [
    shared,
    css`
      :host {
        display: block;
      }
      section {
        background: var(--trygg-surface);
        border: 2px solid var(--trygg-primary);
        border-radius: 8px;
        padding: 1rem;
      }
      .head {
        display: flex;
        flex-wrap: wrap;
        justify-content: space-between;
        align-items: flex-start;
        gap: 0.5rem;
      }
      h2 {
        margin: 0;
        font-size: 1.25rem;
      }
      h3 {
        margin: 1rem 0 0;
        font-size: 1.125rem;
      }
      p {
        margin: 0.25rem 0;
      }
      ol {
        list-style: none;
        margin: 0.5rem 0 0;
        padding: 0;
        display: grid;
        gap: 0.5rem;
      }
      li {
        border-left: 4px solid var(--trygg-line);
        padding-left: 0.75rem;
      }
      li time {
        display: block;
        color: var(--trygg-muted);
        font-weight: 700;
        font-variant-numeric: tabular-nums;
      }
      .note {
        white-space: pre-wrap;
      }
    `,
  ];

  @property({ attribute: false }) alarmId = '';
  /** Version of the alarm as the queue knows it; a change means the timeline grew. */
  @property({ attribute: false }) version = 0;
  @property({ attribute: false }) token = '';
  /** The signed-in operator: the resident card reveals the key-safe code only to the one who claimed. */
  @property({ attribute: false }) userId = '';

  @state() private _alarm: Alarm | null = null;
  @state() private _timeline: TimelineEntry[] = [];
  @state() private _deliveries: NamedDeliveryFact[] = [];
  @state() private _error: string | null = null;
  @state() private _loading = false;
  /** This alarm was recorded as the resident's user test (here, just now). */
  @state() private _userTest: 'recorded' | null = null;

  private _request = 0;

  override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('alarmId')) this._userTest = null;
    if (changed.has('alarmId') || changed.has('version')) void this._load();
  }

  private async _load(): Promise<void> {
    if (!this.alarmId) return;
    const request = ++this._request;
    this._loading = true;
    try {
      const res = await fetchAlarm(this.token, this.alarmId);
      if (request !== this._request) return; // a newer load is on its way
      this._alarm = res.alarm;
      this._timeline = [...res.timeline].sort((a, b) => a.seq - b.seq);
      this._deliveries = res.deliveries;
      this._error = null;
    } catch (err) {
      if (request === this._request) this._error = errorMessage(err);
    } finally {
      if (request === this._request) this._loading = false;
    }
  }

  private async _markUserTest(): Promise<void> {
    try {
      await recordUserTest(this.token, this.alarmId);
      this._userTest = 'recorded';
      this._error = null;
    } catch (err) {
      this._error = errorMessage(err);
    }
  }

  private _close(): void {
    this.dispatchEvent(new CustomEvent('trygg-close', { bubbles: true, composed: true }));
  }

  private _resolution(a: Alarm) {
    const r = a.resolution;
    if (!r) return null;
    const cause = r.cause ? causeLabel(r.cause) : null;
    const action = r.action ? actionLabel(r.action) : null;
    return html`
      ${r.note ? html`<p class="note"><strong>${msg('Note', { id: 'details.note' })}:</strong> ${r.note}</p>` : null}
      ${cause ? html`<p>${msg(str`Cause: ${cause}`, { id: 'resolution.cause' })}</p>` : null}
      ${action ? html`<p>${msg(str`Action: ${action}`, { id: 'resolution.action' })}</p>` : null}
    `;
  }

  override render() {
    const a = this._alarm;
    return html`
      <section aria-labelledby="details-title" aria-busy=${this._loading ? 'true' : 'false'} data-testid="alarm-details">
        <div class="head">
          <div>
            <h2 id="details-title" tabindex="-1">
              ${a ? `${typeLabel(a.type)} – ${subjectName(a)}` : msg('Alarm details', { id: 'details.title' })}
            </h2>
            ${a ? html`<p>${stateLabel(a)}${subjectPlace(a) ? ` · ${subjectPlace(a)}` : ''}</p>` : null}
          </div>
          <button type="button" data-action="close-details" @click=${this._close}>
            ${msg('Close', { id: 'details.close' })}
          </button>
        </div>
        ${this._error ? html`<p role="alert">${this._error}</p>` : null} ${a ? this._resolution(a) : null}
        ${
          a?.class === 'care' && a.subject.residentId
            ? this._userTest
              ? html`<p role="status" data-testid="user-test-recorded">
                  ${msg('Recorded as the user test.', { id: 'details.user-test-recorded' })}
                </p>`
              : html`<button type="button" data-action="user-test" @click=${this._markUserTest}>
                  ${msg("Mark as the resident's user test", { id: 'details.user-test' })}
                </button>`
            : null
        }
        ${a ? html`<trygg-escalation-view .alarm=${a} .deliveries=${this._deliveries}></trygg-escalation-view>` : null}
        ${a?.subject.residentId ? html`<trygg-resident-card .alarm=${a} .token=${this.token} .userId=${this.userId}></trygg-resident-card>` : null}
        <h3 id="history-title">${msg('History', { id: 'details.history' })}</h3>
        <ol aria-labelledby="history-title" data-testid="timeline">
          ${this._timeline.map(
            (t) =>
              html`<li data-kind=${t.kind}>
                <time datetime=${t.at} title=${formatTime(t.at)}>${formatClock(t.at)}</time>
                ${timelineSentence(t, a)}
              </li>`,
          )}
        </ol>
      </section>
    `;
  }

  override firstUpdated(): void {
    // Moves focus into the panel so keyboard users land where the new content is.
    this.renderRoot.querySelector<HTMLElement>('#details-title')?.focus();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'trygg-alarm-details': TryggAlarmDetails;
  }
}
