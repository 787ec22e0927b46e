/**
 * The technician's page, phone first: find a device by scanning or typing its serial, register
 * it if it is new, install it at a resident or in a room, run the test alarm and watch it pass
 * live; or go through the devices that need attention. Each device shows its last heartbeat and
 * its battery and signal over time; or see supervision: the flaky devices and overdue user tests.
 * A technician also has their technical and offline alarms here, to accept and resolve (the tab
 * shows how many are open).
 */
import { LitElement, css, html } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { localized, msg } from '@lit/localize';
import type { Device, InstallationTest } from '@trygg/alarm-core';
import { errorMessage } from '../api.js';
import { fetchDevice, findDeviceBySerial } from '../data/devices.js';
import type { Session } from '../session.js';
import { shared } from '../styles.js';
import { TestLiveController } from '../test-live-controller.js';
import './trygg-device-card.js';
import './trygg-device-credentials.js';
import './trygg-device-install.js';
import './trygg-device-list.js';
import './trygg-device-register.js';
import './trygg-device-swap.js';
import './trygg-device-test.js';
import './trygg-serial-input.js';
import './trygg-technician-alarms.js';
import './trygg-supervision-view.js';
import type { TryggDeviceTest } from './trygg-device-test.js';

@customElement('trygg-technician')
@localized()
export class TryggTechnician extends LitElement {
  static override styles = [
    shared,
    css`
      :host {
        display: grid;
        gap: 1rem;
        max-width: 40rem;
        margin: 0 auto;
      }
      /* Four tabs do not fit side by side on a phone: they wrap instead of widening the page. */
      nav {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
      }
      nav button[aria-current='page'] {
        background: var(--trygg-primary);
        color: var(--trygg-primary-ink);
      }
      section {
        display: grid;
        gap: 1rem;
      }
      h2 {
        margin: 0;
      }
      .error {
        color: var(--trygg-danger);
        font-weight: 600;
      }
      .count {
        display: inline-block;
        min-width: 1.5em;
        padding: 0 0.375em;
        border-radius: 999px;
        background: var(--trygg-danger);
        color: #fff;
        font-weight: 700;
      }
      .lost {
        padding: 0.5rem 0.75rem;
        background: #fff4d6;
        border-left: 6px solid var(--trygg-call);
      }
    `,
  ];

  @property({ attribute: false }) session!: Session;
  @state() private _view: 'device' | 'attention' | 'alarms' | 'supervision' = 'device';
  /** Open alarms in the technician's list (null: not a technician, e.g. an administrator here). */
  @state() private _alarmCount: number | null = null;
  @state() private _serial: string | null = null;
  @state() private _device: Device | null = null;
  @state() private _error: string | null = null;
  /** The device registered here just now: its credentials stay on screen until the next serial. */
  @state() private _registeredId: string | null = null;
  @query('trygg-device-test') private _test?: TryggDeviceTest;
  private _live: TestLiveController | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    this._live ??= new TestLiveController(
      this,
      this.session.token,
      (t) => this._onTest(t),
      () => void this._test?.refresh(),
    );
  }

  private _onTest(t: InstallationTest): void {
    this._test?.receive(t);
  }

  private async _onSerial(e: CustomEvent<string>): Promise<void> {
    this._serial = e.detail;
    this._device = null;
    this._registeredId = null;
    this._error = null;
    try {
      this._device = await findDeviceBySerial(this.session.token, e.detail);
    } catch (err) {
      this._error = errorMessage(err);
    }
  }

  private async _reloadDevice(): Promise<void> {
    if (!this._device) return;
    try {
      this._device = await fetchDevice(this.session.token, this._device.id);
    } catch (err) {
      this._error = errorMessage(err);
    }
  }

  private _open(e: CustomEvent<Device>): void {
    this._device = e.detail;
    this._serial = e.detail.serial;
    this._registeredId = null;
    this._view = 'device';
  }

  override render() {
    return html`
      <nav aria-label=${msg('Technician', { id: 'tech.nav' })}>
        <button type="button" aria-current=${this._view === 'device' ? 'page' : 'false'} @click=${() => (this._view = 'device')}>
          ${msg('Device', { id: 'tech.device' })}
        </button>
        <button
          type="button"
          data-action="attention"
          aria-current=${this._view === 'attention' ? 'page' : 'false'}
          @click=${() => (this._view = 'attention')}
        >
          ${msg('Needs attention', { id: 'tech.attention' })}
        </button>
        ${
          this._isTechnician()
            ? html`<button
                type="button"
                data-action="alarms"
                aria-current=${this._view === 'alarms' ? 'page' : 'false'}
                @click=${() => (this._view = 'alarms')}
              >
                ${msg('Alarms', { id: 'app.view.alarms' })}${
                  this._alarmCount ? html` <span class="count" data-testid="alarm-count">${this._alarmCount}</span>` : null
                }
              </button>`
            : null
        }
        <button
          type="button"
          data-action="supervision"
          aria-current=${this._view === 'supervision' ? 'page' : 'false'}
          @click=${() => (this._view = 'supervision')}
        >
          ${msg('Supervision', { id: 'tech.supervision' })}
        </button>
      </nav>
      ${
        this._live && !this._live.connected
          ? html`<p class="lost" role="status">${msg('Live updates are reconnecting …', { id: 'tech.reconnecting' })}</p>`
          : null
      }
      ${
        this._isTechnician()
          ? html`<trygg-technician-alarms
              .session=${this.session}
              ?hidden=${this._view !== 'alarms'}
              @trygg-alarm-count=${(e: CustomEvent<number>) => (this._alarmCount = e.detail)}
            ></trygg-technician-alarms>`
          : null
      }
      ${
        this._view === 'alarms'
          ? null
          : this._view === 'supervision'
            ? html`<section>
                <h2>${msg('Supervision', { id: 'tech.supervision' })}</h2>
                <trygg-supervision-view .token=${this.session.token} flaky></trygg-supervision-view>
              </section>`
            : this._view === 'attention'
              ? html`<section @trygg-device=${this._open}>
                  <h2>${msg('Needs attention', { id: 'tech.attention' })}</h2>
                  <trygg-device-list .token=${this.session.token}></trygg-device-list>
                </section>`
              : this._renderDevice()
      }
    `;
  }

  /** Technicians are alerted for technical alarms; an administrator on this page is not. */
  private _isTechnician(): boolean {
    return this.session.user.roles.includes('technician');
  }

  private _renderDevice() {
    const d = this._device;
    return html`<section>
      <h2>${msg('Find a device', { id: 'tech.find' })}</h2>
      <trygg-serial-input @trygg-serial=${this._onSerial}></trygg-serial-input>
      ${this._error ? html`<p class="error" role="alert">${this._error}</p>` : null}
      ${
        this._serial && (!d || d.id === this._registeredId)
          ? html`<trygg-device-register
              .serial=${this._serial}
              .token=${this.session.token}
              @trygg-device=${(e: CustomEvent<Device>) => {
                this._registeredId = e.detail.id;
                this._device = e.detail;
              }}
            ></trygg-device-register>`
          : null
      }
      ${d ? html`<trygg-device-card .device=${d} .token=${this.session.token}></trygg-device-card>` : null}
      ${
        d?.status === 'in_stock'
          ? html`<trygg-device-install
              .deviceId=${d.id}
              .token=${this.session.token}
              @trygg-installed=${this._reloadDevice}
            ></trygg-device-install>`
          : null
      }
      ${
        d && (d.status === 'installed' || d.status === 'active')
          ? html`<trygg-device-test
              .deviceId=${d.id}
              .token=${this.session.token}
              @trygg-test-done=${this._reloadDevice}
            ></trygg-device-test>`
          : null
      }
      ${
        d && (d.status === 'installed' || d.status === 'active' || d.status === 'faulty')
          ? html`<trygg-device-swap .device=${d} .token=${this.session.token} @trygg-device=${this._open}></trygg-device-swap>`
          : null
      }
      ${
        d && d.status !== 'returned'
          ? html`<trygg-device-credentials .deviceId=${d.id} .token=${this.session.token}></trygg-device-credentials>`
          : null
      }
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'trygg-technician': TryggTechnician;
  }
}
