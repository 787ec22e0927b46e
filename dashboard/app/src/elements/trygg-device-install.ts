/**
 * Installing a device in stock: at a resident (found by name) or in a care-home room, with
 * where in the home it sits. Fires `trygg-installed` once the installation is recorded.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { localized, msg } from '@lit/localize';
import type { Resident, Site } from '@trygg/alarm-core';
import { errorMessage } from '../api.js';
import { installDevice } from '../data/devices.js';
import { fetchRooms, searchResidents } from '../data/registry.js';
import { formText } from '../form.js';
import { shared } from '../styles.js';

@customElement('trygg-device-install')
@localized()
export class TryggDeviceInstall extends LitElement {
  static override styles = [
    shared,
    css`
      form {
        display: grid;
        gap: 0.75rem;
      }
      fieldset {
        border: 1px solid var(--trygg-line);
        border-radius: 8px;
        display: flex;
        flex-wrap: wrap;
        gap: 1rem;
      }
      label {
        display: grid;
        gap: 0.25rem;
        font-weight: 600;
      }
      fieldset label {
        display: flex;
        align-items: center;
        gap: 0.5rem;
        min-height: 44px;
      }
      .search {
        display: flex;
        gap: 0.5rem;
      }
      .search input {
        flex: 1;
      }
      ul {
        list-style: none;
        padding: 0;
        margin: 0;
        display: grid;
        gap: 0.5rem;
      }
      ul button {
        width: 100%;
        text-align: left;
      }
      ul button[aria-pressed='true'] {
        background: var(--trygg-primary);
        color: var(--trygg-primary-ink);
      }
      .error {
        color: var(--trygg-danger);
        font-weight: 600;
      }
    `,
  ];

  @property() deviceId = '';
  @property() token = '';
  @state() private _mode: 'resident' | 'room' = 'resident';
  @state() private _residents: Resident[] = [];
  @state() private _rooms: Site[] = [];
  @state() private _chosen: string | null = null;
  @state() private _busy = false;
  @state() private _error: string | null = null;

  private async _search(): Promise<void> {
    const q = this.renderRoot.querySelector<HTMLInputElement>('input[name="q"]')?.value.trim() ?? '';
    this._error = null;
    try {
      this._residents = await searchResidents(this.token, q);
      this._chosen = null;
    } catch (err) {
      this._error = errorMessage(err);
    }
  }

  private async _mode_(mode: 'resident' | 'room'): Promise<void> {
    this._mode = mode;
    this._chosen = null;
    if (mode === 'room' && this._rooms.length === 0) {
      try {
        this._rooms = await fetchRooms(this.token);
      } catch (err) {
        this._error = errorMessage(err);
      }
    }
  }

  private async _submit(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    if (!this._chosen) {
      this._error = msg('Choose where the device goes first.', { id: 'install.choose-first' });
      return;
    }
    const location = formText(new FormData(e.target as HTMLFormElement), 'location').trim() || undefined;
    this._busy = true;
    this._error = null;
    try {
      const inst = await installDevice(this.token, {
        deviceId: this.deviceId,
        ...(this._mode === 'resident' ? { residentId: this._chosen } : { siteId: this._chosen }),
        location,
      });
      this.dispatchEvent(new CustomEvent('trygg-installed', { detail: inst, bubbles: true, composed: true }));
    } catch (err) {
      this._error = errorMessage(err);
    } finally {
      this._busy = false;
    }
  }

  override render() {
    const choices =
      this._mode === 'resident'
        ? this._residents.map((r) => ({ id: r.id, label: r.name, sub: r.address ?? '' }))
        : this._rooms.map((s) => ({ id: s.id, label: s.name, sub: s.id }));
    return html`<form @submit=${this._submit}>
      <h3>${msg('Install', { id: 'install.title' })}</h3>
      <fieldset>
        <legend>${msg('Where', { id: 'install.where' })}</legend>
        <label
          ><input
            type="radio"
            name="mode"
            value="resident"
            .checked=${this._mode === 'resident'}
            @change=${() => this._mode_('resident')}
          />
          ${msg('At a resident', { id: 'install.at-resident' })}</label
        >
        <label
          ><input type="radio" name="mode" value="room" .checked=${this._mode === 'room'} @change=${() => this._mode_('room')} />
          ${msg('In a room', { id: 'install.in-room' })}</label
        >
      </fieldset>
      ${
        this._mode === 'resident'
          ? html`<div class="search">
              <label class="visually-hidden" for="q">${msg('Resident name', { id: 'install.resident-name' })}</label>
              <input
                id="q"
                name="q"
                placeholder=${msg('Resident name', { id: 'install.resident-name' })}
                @keydown=${(e: KeyboardEvent) => {
                  if (e.key === 'Enter') {
                    e.preventDefault();
                    void this._search();
                  }
                }}
              />
              <button type="button" data-action="search-resident" @click=${this._search}>
                ${msg('Search', { id: 'install.search' })}
              </button>
            </div>`
          : null
      }
      <ul>
        ${choices.map(
          (c) =>
            html`<li>
              <button
                type="button"
                data-choice=${c.id}
                aria-pressed=${this._chosen === c.id ? 'true' : 'false'}
                @click=${() => (this._chosen = c.id)}
              >
                ${c.label}<br /><small>${c.sub}</small>
              </button>
            </li>`,
        )}
      </ul>
      <label
        >${msg('Where in the home (e.g. bathroom)', { id: 'install.location' })} <input name="location" autocomplete="off"
      /></label>
      ${this._error ? html`<p class="error" role="alert">${this._error}</p>` : null}
      <button class="primary" type="submit" data-action="install" ?disabled=${this._busy}>
        ${msg('Install here', { id: 'install.submit' })}
      </button>
    </form>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'trygg-device-install': TryggDeviceInstall;
  }
}
