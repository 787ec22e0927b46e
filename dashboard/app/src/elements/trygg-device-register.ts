/**
 * Registering a new device: its kind, protocol, vendor, model and firmware for a serial not yet
 * known. The answer's credentials are shown once, to be put into the device; Trygg keeps only
 * their hash. Fires `trygg-device` with the registered device.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { localized, msg, str } from '@lit/localize';
import type { DeviceCredentials, DeviceInput } from '@trygg/alarm-core';
import { errorMessage } from '../api.js';
import { registerDevice } from '../data/devices.js';
import { DEVICE_KINDS, kindLabel } from '../device-labels.js';
import { formText } from '../form.js';
import { credentialsStyles, credentialsView } from '../credentials-view.js';
import { shared } from '../styles.js';

@customElement('trygg-device-register')
@localized()
export class TryggDeviceRegister extends LitElement {
  static override styles = [
    shared,
    credentialsStyles,
    css`
      form {
        display: grid;
        gap: 0.75rem;
      }
      label {
        display: grid;
        gap: 0.25rem;
        font-weight: 600;
      }
      .error {
        color: var(--trygg-danger);
        font-weight: 600;
      }
    `,
  ];

  @property() serial = '';
  @property() token = '';
  @state() private _busy = false;
  @state() private _error: string | null = null;
  @state() private _credentials: DeviceCredentials | null = null;

  private async _submit(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const data = new FormData(e.target as HTMLFormElement);
    const opt = (name: string) => formText(data, name).trim() || undefined;
    this._busy = true;
    this._error = null;
    try {
      const made = await registerDevice(this.token, {
        serial: this.serial,
        kind: formText(data, 'kind'),
        // The select offers the contract's protocols only.
        protocol: formText(data, 'protocol') as DeviceInput['protocol'],
        vendor: opt('vendor'),
        model: opt('model'),
        firmware: opt('firmware'),
      });
      this._credentials = made.credentials;
      this.dispatchEvent(new CustomEvent('trygg-device', { detail: made.device, bubbles: true, composed: true }));
    } catch (err) {
      this._error = errorMessage(err);
    } finally {
      this._busy = false;
    }
  }

  override render() {
    if (this._credentials) return credentialsView(this._credentials);
    return html`<form @submit=${this._submit} aria-labelledby="reg-title">
      <h3 id="reg-title">${msg(str`Register ${this.serial}`, { id: 'register.title' })}</h3>
      <label
        >${msg('Kind', { id: 'register.kind' })}
        <select name="kind">
          ${DEVICE_KINDS.map((k) => html`<option value=${k}>${kindLabel(k)}</option>`)}
        </select></label
      >
      <label
        >${msg('Protocol', { id: 'device.protocol' })}
        <select name="protocol">
          <option value="mqtt">MQTT</option>
          <option value="scaip">SCAIP (SIP)</option>
        </select></label
      >
      <label>${msg('Vendor', { id: 'register.vendor' })} <input name="vendor" autocomplete="off" /></label>
      <label>${msg('Model', { id: 'register.model' })} <input name="model" autocomplete="off" /></label>
      <label>${msg('Firmware', { id: 'register.firmware' })} <input name="firmware" autocomplete="off" /></label>
      ${this._error ? html`<p class="error" role="alert">${this._error}</p>` : null}
      <button class="primary" type="submit" data-action="register" ?disabled=${this._busy}>
        ${msg('Register device', { id: 'register.submit' })}
      </button>
    </form>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'trygg-device-register': TryggDeviceRegister;
  }
}
