/**
 * Swapping a device that is faulty (or failing) for one from stock: scan or type the new one's
 * serial; its installation (resident, room, where in the home, settings) moves to the new device,
 * the old one is marked faulty. Fires `trygg-device` with the new device, which then needs its
 * own test before it is active.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { localized, msg } from '@lit/localize';
import type { Device } from '@trygg/alarm-core';
import { errorMessage } from '../api.js';
import { fetchDevice, findDeviceBySerial, markDeviceFaulty, swapDevice } from '../data/devices.js';
import { shared } from '../styles.js';
import './trygg-serial-input.js';

@customElement('trygg-device-swap')
@localized()
export class TryggDeviceSwap extends LitElement {
  static override styles = [
    shared,
    css`
      :host {
        display: grid;
        gap: 0.5rem;
      }
      h3 {
        margin: 0;
      }
      .error {
        color: var(--trygg-danger);
        font-weight: 600;
      }
    `,
  ];

  @property({ attribute: false }) device!: Device;
  @property() token = '';
  @state() private _open = false;
  @state() private _busy = false;
  @state() private _error: string | null = null;

  private async _markFaulty(): Promise<void> {
    await this._run(async () => {
      this._emit(await markDeviceFaulty(this.token, this.device.id));
    });
  }

  private async _swap(e: CustomEvent<string>): Promise<void> {
    await this._run(async () => {
      const fresh = await findDeviceBySerial(this.token, e.detail);
      if (!fresh) {
        this._error = msg('No device with that serial. Register the new device first.', { id: 'swap.unknown' });
        return;
      }
      await swapDevice(this.token, this.device.id, fresh.id);
      this._open = false;
      this._emit(await fetchDevice(this.token, fresh.id));
    });
  }

  private async _run(fn: () => Promise<void>): Promise<void> {
    this._busy = true;
    this._error = null;
    try {
      await fn();
    } catch (err) {
      this._error = errorMessage(err);
    } finally {
      this._busy = false;
    }
  }

  private _emit(d: Device): void {
    this.dispatchEvent(new CustomEvent('trygg-device', { detail: d, bubbles: true, composed: true }));
  }

  override render() {
    const d = this.device;
    return html`
      <h3>${msg('Replace', { id: 'swap.title' })}</h3>
      <div>
        ${
          d.status === 'installed' || d.status === 'active'
            ? html`<button type="button" data-action="mark-faulty" ?disabled=${this._busy} @click=${this._markFaulty}>
                ${msg('Mark as faulty', { id: 'swap.faulty' })}
              </button>`
            : null
        }
        ${
          this._open
            ? null
            : html`<button type="button" data-action="swap" ?disabled=${this._busy} @click=${() => (this._open = true)}>
                ${msg('Swap for a new device', { id: 'swap.open' })}
              </button>`
        }
      </div>
      ${
        this._open
          ? html`<p>${msg('The new device takes over this installation and its settings.', { id: 'swap.hint' })}</p>
              <trygg-serial-input
                @trygg-serial=${(e: CustomEvent<string>) => {
                  e.stopPropagation();
                  void this._swap(e);
                }}
              ></trygg-serial-input>`
          : null
      }
      ${this._error ? html`<p class="error" role="alert">${this._error}</p>` : null}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'trygg-device-swap': TryggDeviceSwap;
  }
}
