/**
 * Where the person stays signed in: each phone or browser with its last use, "this device"
 * marked, and a button to sign any of them out (a lost phone). Folded away by default, so the
 * phone apps stay short; one column, large targets, usable with one thumb.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { localized, msg, str } from '@lit/localize';
import type { SignedInDevice } from '@trygg/alarm-core';
import { errorMessage } from '../api.js';
import { fetchMyDevices, revokeMyDevice } from '../data/signin.js';
import { formatTime } from '../labels.js';
import { shared } from '../styles.js';

@customElement('trygg-signed-in-devices')
@localized()
export class TryggSignedInDevices extends LitElement {
  static override styles = [
    shared,
    css`
      :host {
        display: block;
      }
      details {
        border: 1px solid var(--trygg-line);
        border-radius: 8px;
        background: var(--trygg-surface);
        padding: 0.5rem 1rem;
      }
      summary {
        min-height: 48px;
        display: flex;
        align-items: center;
        font-weight: 700;
        cursor: pointer;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: 0.75rem;
      }
      li {
        display: grid;
        gap: 0.25rem;
        padding: 0.75rem 0;
        border-top: 1px solid var(--trygg-line);
      }
      .label {
        font-weight: 600;
      }
      .current {
        font-weight: 700;
        color: var(--trygg-primary);
      }
      button {
        min-height: 48px;
        font-size: 1.0625rem;
        justify-self: start;
      }
      .error {
        color: var(--trygg-danger);
        font-weight: 600;
      }
    `,
  ];

  @property({ attribute: false }) token = '';
  @state() private _devices: SignedInDevice[] | null = null;
  @state() private _error: string | null = null;
  @state() private _status = '';

  private async _load(): Promise<void> {
    try {
      this._devices = (await fetchMyDevices(this.token)).devices;
      this._error = null;
    } catch (err) {
      this._error = errorMessage(err);
    }
  }

  private _onToggle(e: Event): void {
    if ((e.target as HTMLDetailsElement).open) void this._load();
  }

  private async _revoke(d: SignedInDevice): Promise<void> {
    if (d.current) {
      // This phone: the same as the header's Sign out (the app returns to sign-in).
      this.dispatchEvent(new CustomEvent('trygg-sign-out', { bubbles: true, composed: true }));
      return;
    }
    try {
      await revokeMyDevice(this.token, d.id);
      this._status = msg(str`${d.label} is signed out.`, { id: 'signins.revoked' });
      await this._load();
    } catch (err) {
      this._error = errorMessage(err);
    }
  }

  override render() {
    return html`<details @toggle=${this._onToggle} data-testid="signed-in-devices">
      <summary>${msg('Signed-in devices', { id: 'signins.title' })}</summary>
      <p role="status">${this._status}</p>
      ${this._error ? html`<p class="error" role="alert">${this._error}</p>` : null}
      ${
        this._devices === null
          ? null
          : this._devices.length === 0
            ? html`<p>${msg('No device stays signed in.', { id: 'signins.none' })}</p>`
            : html`<ul>
                ${this._devices.map(
                  (d) =>
                    html`<li data-device=${d.id}>
                      <span class="label">${d.label}</span>
                      ${d.current ? html`<span class="current">${msg('This device', { id: 'signins.this' })}</span>` : null}
                      <span>${msg(str`Last used ${formatTime(d.lastUsedAt)}`, { id: 'signins.last-used' })}</span>
                      <button type="button" data-action="revoke-device" @click=${() => void this._revoke(d)}>
                        ${d.current ? msg('Sign out this device', { id: 'signins.sign-out-this' }) : msg('Sign out', { id: 'app.sign-out' })}
                      </button>
                    </li>`,
                )}
              </ul>`
      }
    </details>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'trygg-signed-in-devices': TryggSignedInDevices;
  }
}
