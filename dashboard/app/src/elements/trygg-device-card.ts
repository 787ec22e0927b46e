/**
 * One device as the technician sees it: what it is, its status, where it is, when it was last
 * heard from, and its battery and signal over the last day as curves.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { localized, msg } from '@lit/localize';
import type { Device, TelemetrySeries } from '@trygg/alarm-core';
import { errorMessage } from '../api.js';
import { fetchDeviceHealthSeries } from '../data/devices.js';
import { ago, attentionLabel, kindLabel, statusLabel } from '../device-labels.js';
import { shared } from '../styles.js';
import './trygg-telemetry-chart.js';

@customElement('trygg-device-card')
@localized()
export class TryggDeviceCard extends LitElement {
  static override styles = [
    shared,
    css`
      :host {
        display: block;
        border: 1px solid var(--trygg-line);
        border-radius: 10px;
        padding: 1rem;
        background: var(--trygg-surface);
      }
      h3 {
        margin: 0 0 0.5rem;
        font-size: 1.25rem;
      }
      dl {
        display: grid;
        grid-template-columns: auto 1fr;
        gap: 0.25rem 1rem;
        margin: 0 0 1rem;
      }
      dt {
        color: var(--trygg-muted);
      }
      dd {
        margin: 0;
        font-weight: 600;
      }
      .charts {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr));
        gap: 1rem;
      }
      .attention {
        color: var(--trygg-danger);
      }
    `,
  ];

  @property({ attribute: false }) device!: Device;
  @property() token = '';
  @state() private _series: TelemetrySeries | null = null;
  @state() private _error: string | null = null;

  override updated(changed: Map<string, unknown>): void {
    if (changed.has('device')) void this._load();
  }

  private async _load(): Promise<void> {
    try {
      this._series = await fetchDeviceHealthSeries(this.token, this.device.id);
      this._error = null;
    } catch (err) {
      this._error = errorMessage(err);
    }
  }

  override render() {
    const d = this.device;
    return html`
      <h3>${kindLabel(d.kind)} · <span data-testid="device-serial">${d.serial}</span></h3>
      <dl>
        <dt>${msg('Status', { id: 'device.status' })}</dt>
        <dd data-testid="device-status" data-status=${d.status}>${statusLabel(d.status)}</dd>
        <dt>${msg('Device id', { id: 'device.id' })}</dt>
        <dd data-testid="device-id">${d.id}</dd>
        <dt>${msg('Protocol', { id: 'device.protocol' })}</dt>
        <dd>
          ${d.protocol.toUpperCase()}${d.vendor ? ` · ${d.vendor}` : ''}${d.model ? ` ${d.model}` : ''}${d.firmware ? ` (${d.firmware})` : ''}
        </dd>
        <dt>${msg('Last heartbeat', { id: 'device.last-heartbeat' })}</dt>
        <dd>${ago(this._series?.lastSeenAt ?? d.lastSeenAt)}</dd>
        ${
          d.attention
            ? html`<dt>${msg('Needs', { id: 'device.needs' })}</dt>
                <dd class="attention">${attentionLabel(d.attention)}</dd>`
            : null
        }
      </dl>
      <div class="charts">
        <trygg-telemetry-chart
          .points=${this._series?.battery ?? []}
          .range=${[0, 100] as [number, number]}
          label=${msg('Battery', { id: 'device.battery' })}
          unit="%"
        ></trygg-telemetry-chart>
        <trygg-telemetry-chart
          .points=${this._series?.rssi ?? []}
          .range=${[-120, -30] as [number, number]}
          label=${msg('Signal', { id: 'device.signal' })}
          unit="dBm"
        ></trygg-telemetry-chart>
      </div>
      ${this._error ? html`<p role="alert">${this._error}</p>` : null}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'trygg-device-card': TryggDeviceCard;
  }
}
