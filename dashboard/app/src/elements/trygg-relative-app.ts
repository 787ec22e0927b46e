/**
 * The relative's phone app: the alarms of their own person only (open first, then the last 30
 * days), who took each and when it was resolved, "I'm going" / "I can't" while they are asked,
 * and whether alerts reach this phone.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { localized, msg, str } from '@lit/localize';
import type { RelativeView } from '@trygg/alarm-core';
import { formatList } from '../labels.js';
import type { CommandDetail } from '../people-commands.js';
import { fetchRelativeView } from '../data/relatives.js';
import { PeopleView } from '../people-view.js';
import type { Session } from '../session.js';
import { shared } from '../styles.js';
import './trygg-people-alarm.js';
import './trygg-push-setup.js';
import './trygg-signed-in-devices.js';

@customElement('trygg-relative-app')
@localized()
export class TryggRelativeApp extends LitElement {
  static override styles = [
    shared,
    css`
      :host {
        display: grid;
        gap: 1rem;
        max-width: 40rem;
        margin: 0 auto;
      }
      h2 {
        margin: 0;
        font-size: 1.375rem;
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
  private readonly _people = new PeopleView<RelativeView>(this, () => this.session.token, fetchRelativeView);
  private readonly _onCommand = (e: CustomEvent<CommandDetail>): void => void this._people.command(e.detail);

  override render() {
    const v = this._people.view;
    const names = formatList(v?.people.map((p) => p.name) ?? []);
    const open = v?.alarms.filter((a) => a.state === 'open' || a.state === 'claimed' || a.state === 'arrived') ?? [];
    const earlier = v?.alarms.filter((a) => !open.includes(a)) ?? [];
    return html`
      <h2>${v ? msg(str`Alarms for ${names}`, { id: 'relative.title' }) : msg('Loading …', { id: 'people.loading' })}</h2>
      ${this._people.live.connection === 'lost' ? html`<p class="banner" role="status">${msg('Connection lost – reconnecting …', { id: 'queue.connection-lost' })}</p>` : null}
      ${this._people.error ? html`<p class="banner error" role="alert">${this._people.error}</p>` : null}
      <trygg-push-setup .token=${this.session.token}></trygg-push-setup>
      <section aria-labelledby="now">
        <h2 id="now">${msg('Now', { id: 'relative.now' })}</h2>
        ${
          open.length === 0
            ? html`<p data-testid="no-open">${msg('No alarms right now.', { id: 'relative.none' })}</p>`
            : html`<ul @trygg-command=${this._onCommand}>
                ${open.map((a) => html`<li><trygg-people-alarm .alarm=${a} .userId=${this.session.user.userId} ?busy=${this._people.busy}></trygg-people-alarm></li>`)}
              </ul>`
        }
      </section>
      ${
        earlier.length > 0
          ? html`<section aria-labelledby="earlier">
              <h2 id="earlier">${msg('Earlier (30 days)', { id: 'relative.earlier' })}</h2>
              <ul>
                ${earlier.map((a) => html`<li><trygg-people-alarm .alarm=${a} .userId=${this.session.user.userId}></trygg-people-alarm></li>`)}
              </ul>
            </section>`
          : null
      }
      <trygg-signed-in-devices .token=${this.session.token}></trygg-signed-in-devices>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'trygg-relative-app': TryggRelativeApp;
  }
}
