/**
 * The technician's alarms, phone first: the technical and offline alarms they were alerted for
 * (battery, mains, tamper, dispenser, a device gone silent), with "I'm going" / "I can't" while
 * they are asked, then "I'm there" and "Resolved" with a note — the same card night staff and
 * relatives use. Live: the people stream says when one of them changed, and the list is read
 * again. Push to this phone is switched on here, as in the staff and relative apps. Tells its host how many are open (`trygg-alarm-count`), for the tab's badge.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { localized, msg } from '@lit/localize';
import type { TechnicianAlarms } from '@trygg/alarm-core';
import { fetchTechnicianAlarms } from '../data/technician.js';
import type { CommandDetail } from '../people-commands.js';
import { PeopleView } from '../people-view.js';
import type { Session } from '../session.js';
import { shared } from '../styles.js';
import './trygg-people-alarm.js';
import './trygg-push-setup.js';

const OPEN = new Set(['open', 'claimed', 'arrived']);

@customElement('trygg-technician-alarms')
@localized()
export class TryggTechnicianAlarms extends LitElement {
  static override styles = [
    shared,
    css`
      :host {
        display: grid;
        gap: 1rem;
      }
      :host([hidden]) {
        display: none;
      }
      h2 {
        margin: 0;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: 0.75rem;
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
    `,
  ];

  @property({ attribute: false }) session!: Session;
  private readonly _people = new PeopleView<TechnicianAlarms>(this, () => this.session.token, fetchTechnicianAlarms);
  private readonly _onCommand = (e: CustomEvent<CommandDetail>): void => void this._people.command(e.detail);
  private _count = -1;

  override updated(): void {
    const count = this._people.view?.alarms.filter((a) => OPEN.has(a.state)).length ?? 0;
    if (count === this._count) return;
    this._count = count;
    this.dispatchEvent(new CustomEvent('trygg-alarm-count', { detail: count, bubbles: true, composed: true }));
  }

  override render() {
    const v = this._people.view;
    if (!v) return html`<p>${msg('Loading …', { id: 'people.loading' })}</p>`;
    const open = v.alarms.filter((a) => OPEN.has(a.state));
    const earlier = v.alarms.filter((a) => !OPEN.has(a.state));
    const card = (a: (typeof open)[number], busy: boolean) =>
      html`<li><trygg-people-alarm .alarm=${a} .userId=${this.session.user.userId} ?busy=${busy}></trygg-people-alarm></li>`;
    return html`
      ${this._people.live.connection === 'lost' ? html`<p class="banner" role="status">${msg('Connection lost – reconnecting …', { id: 'queue.connection-lost' })}</p>` : null}
      ${this._people.error ? html`<p class="banner error" role="alert">${this._people.error}</p>` : null}
      <trygg-push-setup .token=${this.session.token}></trygg-push-setup>
      <section aria-labelledby="tech-now">
        <h2 id="tech-now">${msg('Technical alarms', { id: 'tech.alarms.title' })}</h2>
        ${
          open.length === 0
            ? html`<p data-testid="no-alarms">${msg('No technical alarms for you right now.', { id: 'tech.alarms.none' })}</p>`
            : html`<ul @trygg-command=${this._onCommand}>
                ${open.map((a) => card(a, this._people.busy))}
              </ul>`
        }
      </section>
      ${
        earlier.length > 0
          ? html`<section aria-labelledby="tech-earlier">
              <h2 id="tech-earlier">${msg('Earlier (7 days)', { id: 'tech.alarms.earlier' })}</h2>
              <ul>
                ${earlier.map((a) => card(a, false))}
              </ul>
            </section>`
          : null
      }
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'trygg-technician-alarms': TryggTechnicianAlarms;
  }
}
