/**
 * The resident card in an alarm's details: address with a map link, notes for responders,
 * relatives and their state in this alarm, devices and their health, recent alarms, and the
 * key-safe code, which the server reveals (and audits) only for the operator who claimed it.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { localized, msg, str } from '@lit/localize';
import type { Alarm, DeviceHealth, RelativeAlarmState, ResidentCard } from '@trygg/alarm-core';
import { errorMessage } from '../api.js';
import { fetchResidentCard, revealKeySafe } from '../data/resident.js';
import { kindLabel } from '../device-labels.js';
import { formatClock, typeLabel } from '../labels.js';
import { shared } from '../styles.js';

function alertState(s: RelativeAlarmState): string {
  switch (s) {
    case 'pending':
      return msg('asked, no answer yet', { id: 'resident.rel.pending' });
    case 'accepted':
      return msg('is going', { id: 'resident.rel.accepted' });
    case 'declined':
      return msg('cannot go', { id: 'resident.rel.declined' });
    case 'withdrawn':
      return msg('alert withdrawn', { id: 'resident.rel.withdrawn' });
    case 'informed':
      return msg('informed', { id: 'resident.rel.informed' });
    case 'expired':
      return msg('did not answer in time', { id: 'resident.rel.expired' });
    case 'unreachable':
      return msg('could not be reached', { id: 'resident.rel.unreachable' });
    case 'not-alerted':
      return msg('not alerted', { id: 'resident.rel.not-alerted' });
  }
}

function health(h: DeviceHealth): string {
  switch (h) {
    case 'ok':
      return msg('OK', { id: 'resident.dev.ok' });
    case 'silent':
      return msg('Silent – missed heartbeats', { id: 'resident.dev.silent' });
    case 'low-battery':
      return msg('Low battery', { id: 'resident.dev.low-battery' });
    case 'never-seen':
      return msg('Never heard from', { id: 'resident.dev.never' });
  }
}

@customElement('trygg-resident-card')
@localized()
export class TryggResidentCard extends LitElement {
  static override styles = [
    shared,
    css`
      :host {
        display: block;
        margin-top: 1rem;
      }
      h3 {
        margin: 1rem 0 0.25rem;
        font-size: 1.125rem;
      }
      ul {
        margin: 0.25rem 0;
        padding-left: 1.25rem;
      }
      .notes {
        white-space: pre-wrap;
        background: #fff4ce;
        border-left: 4px solid #8a5a00;
        padding: 0.5rem 0.75rem;
      }
      .warn {
        color: var(--trygg-danger);
        font-weight: 700;
      }
      .code {
        font-size: 1.125rem;
        font-weight: 700;
      }
    `,
  ];

  @property({ attribute: false }) alarm!: Alarm;
  @property({ attribute: false }) token = '';
  @property({ attribute: false }) userId = '';
  @state() private _card: ResidentCard | null = null;
  @state() private _error = '';
  @state() private _keySafe: string | null = null;
  @state() private _keyError = '';
  private _loadedFor = '';

  override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('alarm') && this.alarm && this.alarm.id + this.alarm.version !== this._loadedFor) void this._load();
  }

  private async _load(): Promise<void> {
    this._loadedFor = this.alarm.id + this.alarm.version;
    try {
      this._card = await fetchResidentCard(this.token, this.alarm.id);
      this._error = '';
    } catch (err) {
      this._error = errorMessage(err);
    }
  }

  private async _reveal(): Promise<void> {
    try {
      const res = await revealKeySafe(this.token, this.alarm.id);
      this._keySafe = res.keySafe ?? '–';
      this._keyError = '';
    } catch (err) {
      this._keyError = errorMessage(err);
    }
  }

  override render() {
    const c = this._card;
    if (this._error) return html`<p role="alert">${this._error}</p>`;
    if (!c) return null;
    const mine =
      this.alarm.claimedBy?.userId === this.userId && (this.alarm.state === 'claimed' || this.alarm.state === 'arrived');
    return html`<section aria-labelledby="resident-title" data-testid="resident-card">
      <h3 id="resident-title">${msg(str`About ${c.resident.name}`, { id: 'resident.title' })}</h3>
      ${
        c.resident.address
          ? html`<p>
              ${c.resident.address}
              ${c.resident.mapUrl ? html` · <a href=${c.resident.mapUrl} target="_blank" rel="noopener noreferrer">${msg('Map', { id: 'resident.map' })}</a>` : null}
            </p>`
          : null
      }
      ${c.resident.notes ? html`<p class="notes" data-testid="resident-notes">${c.resident.notes}</p>` : null}
      ${
        c.resident.hasKeySafe
          ? this._keySafe !== null
            ? html`<p data-testid="key-safe">
                ${msg('Key safe:', { id: 'resident.key-safe' })} <span class="code">${this._keySafe}</span>
              </p>`
            : mine
              ? html`<p>
                  <button type="button" data-action="reveal-key-safe" @click=${this._reveal}>
                    ${msg('Show key-safe code (logged)', { id: 'resident.reveal' })}
                  </button>
                </p>`
              : html`<p>
                  ${msg('Key-safe code: shown to the operator who claims the alarm.', { id: 'resident.key-safe-hidden' })}
                </p>`
          : null
      }
      ${this._keyError ? html`<p role="alert" class="warn">${this._keyError}</p>` : null}
      <h3>${msg('Relatives', { id: 'resident.relatives' })}</h3>
      <ul data-testid="relatives">
        ${c.relatives.map(
          (r) =>
            html`<li data-relative=${r.id} data-state=${r.state}>
              ${r.name}${r.relation ? ` (${r.relation})` : ''}${r.phone ? html` · <a href="tel:${r.phone}">${r.phone}</a>` : null}
              – ${alertState(r.state)}
            </li>`,
        )}
      </ul>
      <h3>${msg('Devices', { id: 'resident.devices' })}</h3>
      <ul data-testid="devices">
        ${c.devices.map(
          (d) =>
            html`<li data-device=${d.id} data-health=${d.health}>
              ${kindLabel(d.kind)} (${d.id}) –
              <span class=${d.health === 'ok' ? '' : 'warn'}>${health(d.health)}</span
              >${d.battery !== null ? html` · ${msg(str`battery ${d.battery} %`, { id: 'resident.battery' })}` : null}${d.lastSeenAt ? html` · ${msg(str`last heard ${formatClock(d.lastSeenAt)}`, { id: 'resident.last-seen' })}` : null}
            </li>`,
        )}
      </ul>
      <h3>${msg('Recent alarms', { id: 'resident.recent' })}</h3>
      ${
        c.recent.length === 0
          ? html`<p>${msg('None before this one.', { id: 'resident.recent-none' })}</p>`
          : html`<ul data-testid="recent">
              ${c.recent.map((r) => html`<li>${formatClock(r.openedAt)} – ${typeLabel(r.type)} (${r.state})</li>`)}
            </ul>`
      }
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'trygg-resident-card': TryggResidentCard;
  }
}
