/**
 * The self-test's banner (issue 20) on every console of the response centre, administrators and
 * technicians: when a synthetic test alarm did not get through an ingress, or got through late,
 * real alarms may be delayed or lost, and everyone at a console must know at once. It follows
 * `chain:status` on the live channel (sent on connect too) and clears itself, leaving a short
 * "works again" line, when the chain is restored.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { localized, msg, str } from '@lit/localize';
import { io, type Socket } from 'socket.io-client';
import type { ChainStatus, ClientToServerEvents, ServerToClientEvents } from '@trygg/alarm-core';
import { formatTime } from '../labels.js';
import { shared } from '../styles.js';

/** How an ingress is named to a centre (the protocol a unit speaks, not Trygg's internals). */
const INGRESS_NAMES: Record<string, string> = {
  mqtt: 'MQTT',
  mqtts: 'MQTTS',
  'external-broker': 'MQTT broker',
  'sip-udp': 'SIP/UDP',
  'sip-tcp': 'SIP/TCP',
  'sip-tls': 'SIP/TLS',
};

@localized()
@customElement('trygg-chain-banner')
export class TryggChainBanner extends LitElement {
  static override styles = [
    shared,
    css`
      .banner {
        margin: 0;
        padding: 0.75rem 1rem;
        background: var(--trygg-danger);
        color: #fff;
        font-weight: 600;
      }
      .restored {
        margin: 0;
        padding: 0.5rem 1rem;
        color: var(--trygg-muted);
      }
    `,
  ];

  @property() token = '';

  @state() private _status: ChainStatus | null = null;
  @state() private _restoredAt: string | null = null;

  private _socket: Socket<ServerToClientEvents, ClientToServerEvents> | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io({
      path: '/socket.io',
      auth: { token: this.token },
      transports: ['websocket'],
    });
    socket.on('chain:status', (s) => {
      const was = this._status?.state;
      if ((was === 'failing' || was === 'late') && s.state === 'ok') this._restoredAt = s.since;
      if (s.state === 'failing' || s.state === 'late') this._restoredAt = null;
      this._status = s;
    });
    this._socket = socket;
  }

  override disconnectedCallback(): void {
    this._socket?.close();
    this._socket = null;
    super.disconnectedCallback();
  }

  override render() {
    const s = this._status;
    if (s && (s.state === 'failing' || s.state === 'late')) {
      const which = s.ingresses
        .filter((i) => i.state === 'failing' || i.state === 'late')
        .map((i) => INGRESS_NAMES[i.ingress] ?? i.ingress)
        .join(', ');
      const since = formatTime(s.since);
      return html`<p class="banner" role="alert" data-testid="chain-banner" data-state=${s.state}>
        ${
          s.state === 'failing'
            ? msg(
                str`The alarm chain is failing (${which}) since ${since}: test alarms do not get through. Real alarms may be delayed or lost.`,
                {
                  id: 'chain.failing',
                },
              )
            : msg(str`The alarm chain is slow (${which}) since ${since}: test alarms arrive late.`, { id: 'chain.late' })
        }
      </p>`;
    }
    if (this._restoredAt) {
      return html`<p class="restored" role="status" data-testid="chain-restored">
        ${msg(str`The alarm chain works again since ${formatTime(this._restoredAt)}.`, { id: 'chain.restored' })}
      </p>`;
    }
    return null;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'trygg-chain-banner': TryggChainBanner;
  }
}
