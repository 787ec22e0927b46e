/**
 * New credentials for a device whose secret is lost or leaked: the old ones stop working at once
 * (and its connection is closed); the new ones are shown here once, to be put into the device.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { localized, msg } from '@lit/localize';
import type { DeviceCredentials } from '@trygg/alarm-core';
import { errorMessage } from '../api.js';
import { reissueDeviceCredentials } from '../data/devices.js';
import { credentialsStyles, credentialsView } from '../credentials-view.js';
import { shared } from '../styles.js';

@customElement('trygg-device-credentials')
@localized()
export class TryggDeviceCredentials extends LitElement {
  static override styles = [
    shared,
    credentialsStyles,
    css`
      :host {
        display: grid;
        gap: 0.5rem;
      }
      .error {
        color: var(--trygg-danger);
        font-weight: 600;
      }
    `,
  ];

  @property() deviceId = '';
  @property() token = '';
  @state() private _confirming = false;
  @state() private _credentials: DeviceCredentials | null = null;
  @state() private _error: string | null = null;

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('deviceId')) {
      this._credentials = null;
      this._confirming = false;
    }
  }

  private async _issue(): Promise<void> {
    this._error = null;
    try {
      this._credentials = await reissueDeviceCredentials(this.token, this.deviceId);
      this._confirming = false;
    } catch (err) {
      this._error = errorMessage(err);
    }
  }

  override render() {
    const c = this._credentials;
    return html`
      ${
        c
          ? credentialsView(c)
          : this._confirming
            ? html`<p>${msg('The device stops working until the new credentials are entered in it.', { id: 'creds.warning' })}</p>
                <div>
                  <button class="primary" type="button" data-action="confirm-credentials" @click=${this._issue}>
                    ${msg('Issue new credentials', { id: 'creds.issue' })}
                  </button>
                  <button type="button" @click=${() => (this._confirming = false)}>
                    ${msg('Cancel', { id: 'card.cancel' })}
                  </button>
                </div>`
            : html`<button type="button" data-action="new-credentials" @click=${() => (this._confirming = true)}>
                ${msg('New credentials', { id: 'creds.open' })}
              </button>`
      }
      ${this._error ? html`<p class="error" role="alert">${this._error}</p>` : null}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'trygg-device-credentials': TryggDeviceCredentials;
  }
}
