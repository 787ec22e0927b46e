/**
 * The night staff's phone app: alerts of their institution (their own floor first) with Accept /
 * Decline / Arrived / Resolved, the floor overview (every room and its state), and who else is
 * on shift (has the app open) and what they are busy with.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { localized, msg, str } from '@lit/localize';
import type { Alarm, StaffOverview } from '@trygg/alarm-core';
import { fetchStaffOverview } from '../data/staff.js';
import { typeLabel } from '../labels.js';
import type { CommandDetail } from '../people-commands.js';
import { PeopleView } from '../people-view.js';
import type { Session } from '../session.js';
import { shared } from '../styles.js';
import './trygg-people-alarm.js';
import './trygg-push-setup.js';
import './trygg-signed-in-devices.js';

type Overview = StaffOverview;

@customElement('trygg-staff-app')
@localized()
export class TryggStaffApp extends LitElement {
  static override styles = [
    shared,
    css`
      :host {
        display: grid;
        gap: 1.25rem;
        max-width: 48rem;
        margin: 0 auto;
      }
      h2 {
        margin: 0 0 0.5rem;
        font-size: 1.375rem;
      }
      h3 {
        margin: 0.75rem 0 0.5rem;
        font-size: 1.125rem;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: 0.75rem;
      }
      .rooms {
        grid-template-columns: repeat(auto-fill, minmax(9.5rem, 1fr));
        gap: 0.5rem;
      }
      .room {
        border: 2px solid var(--trygg-line);
        border-radius: 8px;
        padding: 0.5rem 0.75rem;
        background: var(--trygg-surface);
        min-height: 4rem;
      }
      .room[data-state='alarm'] {
        border-color: var(--trygg-danger);
        background: #fde7ea;
      }
      .room[data-state='taken'] {
        border-color: #8a5a00;
        background: #fff4ce;
      }
      .room strong {
        display: block;
      }
      .banner {
        padding: 0.75rem 1rem;
        border-radius: 8px;
        background: #fff4ce;
        border: 2px solid #8a5a00;
        font-weight: 600;
      }
      .error {
        background: #fde7ea;
        border-color: var(--trygg-danger);
      }
      .colleague {
        display: flex;
        justify-content: space-between;
        gap: 0.5rem;
        flex-wrap: wrap;
        border-bottom: 1px solid var(--trygg-line);
        padding: 0.5rem 0;
      }
      .muted {
        color: var(--trygg-muted);
      }
    `,
  ];

  @property({ attribute: false }) session!: Session;
  private readonly _people = new PeopleView<Overview>(this, () => this.session.token, fetchStaffOverview);
  private readonly _onCommand = (e: CustomEvent<CommandDetail>): void => void this._people.command(e.detail);

  override render() {
    const o = this._people.view;
    if (!o) return html`<p>${msg('Loading …', { id: 'people.loading' })}</p>`;
    const myFloors = new Set(o.floors.filter((f) => f.mine).map((f) => f.id));
    const onMyFloor = (a: Alarm) => o.rooms.some((r) => r.alarmId === a.id && myFloors.has(r.floorId));
    const alarms = [...o.alarms].sort((a, b) => Number(onMyFloor(b)) - Number(onMyFloor(a)));
    return html`
      ${this._people.live.connection === 'lost' ? html`<p class="banner" role="status">${msg('Connection lost – reconnecting …', { id: 'queue.connection-lost' })}</p>` : null}
      ${this._people.error ? html`<p class="banner error" role="alert">${this._people.error}</p>` : null}
      <section aria-labelledby="alerts">
        <h2 id="alerts">${msg(str`Alarms at ${o.institution?.name ?? ''}`, { id: 'staff.alarms' })}</h2>
        ${
          alarms.length === 0
            ? html`<p data-testid="no-alarms">${msg('No open alarms.', { id: 'staff.none' })}</p>`
            : html`<ul @trygg-command=${this._onCommand}>
                ${alarms.map((a) => html`<li><trygg-people-alarm .alarm=${a} .userId=${this.session.user.userId} ?busy=${this._people.busy}></trygg-people-alarm></li>`)}
              </ul>`
        }
      </section>
      <trygg-push-setup .token=${this.session.token}></trygg-push-setup>
      <section aria-labelledby="rooms">
        <h2 id="rooms">${msg('Rooms', { id: 'staff.rooms' })}</h2>
        ${o.floors.filter((f) => f.mine || myFloors.size === 0).map((f) => this._floor(f, o))}
      </section>
      <section aria-labelledby="shift">
        <h2 id="shift">${msg('On shift', { id: 'staff.shift' })}</h2>
        <ul>
          ${o.colleagues.map(
            (c) =>
              html`<li class="colleague" data-user=${c.userId}>
                <span><strong>${c.name}</strong> <span class="muted">${c.floors.join(', ')}</span></span>
                <span>
                  ${c.online ? msg('App open', { id: 'staff.online' }) : msg('App closed', { id: 'staff.offline' })}
                  ${c.busyWith ? html` · ${msg(str`busy with ${c.busyWith}`, { id: 'staff.busy' })}` : null}
                </span>
              </li>`,
          )}
        </ul>
      </section>
      <trygg-signed-in-devices .token=${this.session.token}></trygg-signed-in-devices>
    `;
  }

  private _floor(f: Overview['floors'][number], o: Overview) {
    const rooms = o.rooms.filter((r) => r.floorId === f.id);
    return html`<h3>${f.name}</h3>
      <ul class="rooms">
        ${rooms.map((r) => {
          const alarm = r.alarmId ? o.alarms.find((a) => a.id === r.alarmId) : undefined;
          const st = !alarm ? 'calm' : alarm.state === 'open' ? 'alarm' : 'taken';
          const what = !alarm
            ? msg('Calm', { id: 'staff.room.calm' })
            : alarm.state === 'open'
              ? typeLabel(alarm.type)
              : msg(str`${alarm.claimedBy?.name ?? '?'} is on it`, { id: 'staff.room.taken' });
          return html`<li class="room" data-room=${r.id} data-state=${st}>
            <strong>${r.name}</strong>
            <span>${r.residentName ?? ''}</span><br />
            <span>${what}</span>
          </li>`;
        })}
      </ul>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'trygg-staff-app': TryggStaffApp;
  }
}
