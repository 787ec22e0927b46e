/**
 * The verified-installation test: start it, then ask the resident (or press the device's test
 * button) to send a test alarm within the window; the result arrives live (and is re-read over
 * REST after a reconnect): passed with the time it took and the battery and signal at that
 * moment, or failed when the window closed.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { localized, msg, str } from '@lit/localize';
import type { InstallationTest } from '@trygg/alarm-core';
import { errorMessage } from '../api.js';
import { fetchInstallationTest, startDeviceTest } from '../data/devices.js';
import { shared } from '../styles.js';

@customElement('trygg-device-test')
@localized()
export class TryggDeviceTest extends LitElement {
  static override styles = [
    shared,
    css`
      :host {
        display: block;
      }
      .result {
        font-size: 1.5rem;
        font-weight: 700;
        padding: 1rem;
        border-radius: 10px;
        border: 3px solid var(--trygg-line);
      }
      .result[data-status='passed'] {
        border-color: #0a7a2f;
        color: #0a5a22;
      }
      .result[data-status='failed'] {
        border-color: var(--trygg-danger);
        color: var(--trygg-danger);
      }
      .error {
        color: var(--trygg-danger);
        font-weight: 600;
      }
    `,
  ];

  @property() deviceId = '';
  @property() token = '';
  @state() private _test: InstallationTest | null = null;
  @state() private _busy = false;
  @state() private _error: string | null = null;
  @state() private _now = Date.now();
  private _tick: ReturnType<typeof setInterval> | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    this._tick = setInterval(() => (this._now = Date.now()), 1000);
  }

  override disconnectedCallback(): void {
    clearInterval(this._tick);
    super.disconnectedCallback();
  }

  /** A live update from the technicians' stream. */
  receive(test: InstallationTest): void {
    if (test.deviceId !== this.deviceId) return;
    if (this._test && test.id !== this._test.id && Date.parse(test.startedAt) < Date.parse(this._test.startedAt)) return;
    this._test = test;
    if (test.status !== 'running') this._done(test);
  }

  /** After a reconnect: read the running test's state again. */
  async refresh(): Promise<void> {
    if (!this._test || this._test.status !== 'running') return;
    try {
      this.receive(await fetchInstallationTest(this.token, this._test.id));
    } catch {
      // The live stream or the next refresh will bring it.
    }
  }

  private _done(test: InstallationTest): void {
    this.dispatchEvent(new CustomEvent('trygg-test-done', { detail: test, bubbles: true, composed: true }));
  }

  private async _start(): Promise<void> {
    this._busy = true;
    this._error = null;
    try {
      this._test = await startDeviceTest(this.token, this.deviceId);
    } catch (err) {
      this._error = errorMessage(err);
    } finally {
      this._busy = false;
    }
  }

  override render() {
    const t = this._test;
    return html`
      <h3>${msg('Test alarm', { id: 'test.title' })}</h3>
      ${
        !t || t.status !== 'running'
          ? html`<button class="primary" type="button" data-action="start-test" ?disabled=${this._busy} @click=${this._start}>
              ${t ? msg('Test again', { id: 'test.again' }) : msg('Start test', { id: 'test.start' })}
            </button>`
          : null
      }
      ${t ? this._renderTest(t) : html`<p>${msg('Start the test, then send a test alarm from the device within 10 minutes.', { id: 'test.hint' })}</p>`}
      ${this._error ? html`<p class="error" role="alert">${this._error}</p>` : null}
    `;
  }

  private _renderTest(t: InstallationTest) {
    if (t.status === 'running') {
      const left = Math.max(0, Math.round((Date.parse(t.deadline) - this._now) / 1000));
      const clock = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`;
      return html`<p class="result" data-testid="test-status" data-status="running" aria-live="polite">
        ${msg('Waiting for the test alarm …', { id: 'test.waiting' })}
        <br /><small>${msg(str`${clock} left`, { id: 'test.left' })}</small>
      </p>`;
    }
    if (t.status === 'passed') {
      const s = new Intl.NumberFormat(document.documentElement.lang || undefined, {
        minimumFractionDigits: 1,
        maximumFractionDigits: 1,
      }).format((t.durationMs ?? 0) / 1000);
      return html`<p class="result" data-testid="test-status" data-status="passed" role="status">
        ${msg('Test passed', { id: 'test.passed' })}
        <br /><small
          >${msg(str`Reached Trygg after ${s} s`, { id: 'test.took' })} · ${msg('Battery', { id: 'device.battery' })}
          ${t.battery === null ? '–' : `${Math.round(t.battery)} %`} · ${msg('Signal', { id: 'device.signal' })}
          ${t.rssi === null ? '–' : `${Math.round(t.rssi)} dBm`}</small
        >
      </p>`;
    }
    return html`<p class="result" data-testid="test-status" data-status="failed" role="alert">
      ${msg('Test failed: no test alarm arrived in time', { id: 'test.failed' })}
    </p>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'trygg-device-test': TryggDeviceTest;
  }
}
