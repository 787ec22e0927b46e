/**
 * Devices that need a technician, worst first: faulty, silent, never heard from, not tested,
 * battery low, weak signal. Choosing one opens it. Fires `trygg-device`.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { localized, msg } from '@lit/localize';
import type { Device } from '@trygg/alarm-core';
import { errorMessage } from '../api.js';
import { fetchDevicesNeedingAttention } from '../data/devices.js';
import { ago, attentionLabel, kindLabel } from '../device-labels.js';
import { shared } from '../styles.js';

@customElement('trygg-device-list')
@localized()
export class TryggDeviceList extends LitElement {
  static override styles = [
    shared,
    css`
      ul {
        list-style: none;
        padding: 0;
        margin: 0;
        display: grid;
        gap: 0.5rem;
      }
      li button {
        width: 100%;
        text-align: left;
        display: grid;
        gap: 0.125rem;
        border-color: var(--trygg-line);
        color: var(--trygg-ink);
      }
      .why {
        color: var(--trygg-danger);
      }
      small {
        color: var(--trygg-muted);
        font-weight: 400;
      }
    `,
  ];

  @property() token = '';
  @state() private _devices: Device[] | null = null;
  @state() private _error: string | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.reload();
  }

  async reload(): Promise<void> {
    try {
      this._devices = await fetchDevicesNeedingAttention(this.token);
      this._error = null;
    } catch (err) {
      this._error = errorMessage(err);
    }
  }

  override render() {
    if (this._error) return html`<p role="alert">${this._error}</p>`;
    if (!this._devices) return html`<p>${msg('Loading …', { id: 'devices.loading' })}</p>`;
    if (this._devices.length === 0) return html`<p>${msg('No device needs attention.', { id: 'devices.none' })}</p>`;
    return html`<ul data-testid="attention-list">
      ${this._devices.map(
        (d) =>
          html`<li>
            <button
              type="button"
              data-device-id=${d.id}
              @click=${() => this.dispatchEvent(new CustomEvent('trygg-device', { detail: d, bubbles: true, composed: true }))}
            >
              <span>${kindLabel(d.kind)} · ${d.serial}</span>
              <span class="why">${d.attention ? attentionLabel(d.attention) : ''}</span>
              <small
                >${msg('Last heartbeat', { id: 'device.last-heartbeat' })}: ${ago(d.lastSeenAt)}
                ${d.battery === null ? '' : ` · ${Math.round(d.battery)} %`}
                ${d.rssi === null ? '' : ` · ${Math.round(d.rssi)} dBm`}</small
              >
            </button>
          </li>`,
      )}
    </ul>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'trygg-device-list': TryggDeviceList;
  }
}
