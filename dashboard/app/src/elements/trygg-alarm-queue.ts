/**
 * The operator's queue of open alarms, live. Shows the connection state, announces and sounds
 * new alarms, and carries out the operator's commands (claim, arrived, resolve). The list
 * itself comes from the LiveController, which is the only thing allowed to change it besides a
 * command's own answer.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { localized, msg, str } from '@lit/localize';
import type { Alarm, LoginResponse } from '@trygg/alarm-core';
import { beep } from '../alert-sound.js';
import { errorMessage, signalUnauthorized } from '../api.js';
import { sendAlarmCommand } from '../data/alarms.js';
import { subjectName, subjectPlace, typeLabel } from '../labels.js';
import { LiveController } from '../live-controller.js';
import { shared } from '../styles.js';
import { TryggAlarmCard, type CommandRequest } from './trygg-alarm-card.js';
import './trygg-alarm-details.js';
import './trygg-system-status.js';
import './trygg-supervision-view.js';

const TICK_MS = 15_000;

@customElement('trygg-alarm-queue')
@localized()
export class TryggAlarmQueue extends LitElement {
  static override styles = [
    shared,
    TryggAlarmCard.styles,
    css`
      :host {
        display: grid;
        gap: 1rem;
      }
      .banner {
        margin: 0;
        padding: 0.75rem 1rem;
        background: #ffdd57;
        color: #111;
        border: 3px solid #111;
        border-radius: 8px;
        font-weight: 700;
        font-size: 1.125rem;
      }
      .toast {
        display: flex;
        align-items: center;
        justify-content: space-between;
        gap: 1rem;
        padding: 0.5rem 0.5rem 0.5rem 1rem;
        background: #fde8eb;
        color: var(--trygg-danger);
        border-left: 8px solid var(--trygg-danger);
        border-radius: 6px;
        font-weight: 600;
      }
      .layout {
        display: grid;
        grid-template-columns: minmax(0, 1fr);
        gap: 1rem;
        align-items: start;
      }
      .layout.with-details {
        grid-template-columns: minmax(0, 2fr) minmax(18rem, 1fr);
      }
      @media (max-width: 900px) {
        .layout.with-details {
          grid-template-columns: minmax(0, 1fr);
        }
      }
      h2 {
        margin: 0 0 0.75rem;
        font-size: 1.5rem;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: 0.75rem;
      }
      .empty {
        padding: 2rem 1rem;
        text-align: center;
        background: var(--trygg-surface);
        border: 2px dashed var(--trygg-line);
        border-radius: 8px;
        font-size: 1.125rem;
      }
      trygg-alarm-details {
        position: sticky;
        top: 1rem;
      }
    `,
  ];

  @property({ attribute: false }) session!: LoginResponse;

  @state() private _now = Date.now();
  @state() private _toast: string | null = null;
  @state() private _announcement = '';
  @state() private _busy = new Set<string>();
  @state() private _detailsId: string | null = null;

  private _tick: ReturnType<typeof setInterval> | undefined;

  // Created on first connect: the session (and its token) is set by then, not in the constructor.
  private _live: LiveController | null = null;

  override connectedCallback(): void {
    this._live ??= new LiveController(this, {
      token: this.session.token,
      onOpened: (alarms) => this._announceOpened(alarms),
      onRealerted: (alarm) => this._announceRealerted(alarm),
      onError: (message) => (this._toast = message),
      onUnauthorized: signalUnauthorized,
    });
    super.connectedCallback();
    this._now = Date.now();
    this._tick = setInterval(() => (this._now = Date.now()), TICK_MS);
  }

  override disconnectedCallback(): void {
    clearInterval(this._tick);
    super.disconnectedCallback();
  }

  private _announceOpened(alarms: Alarm[]): void {
    beep();
    const texts = alarms.map((a) => [typeLabel(a.type), subjectName(a), subjectPlace(a)].filter(Boolean).join(', '));
    const text = msg(str`New alarm: ${texts.join('; ')}`, { id: 'queue.announce-new' });
    // Same words twice in a row would not be read out again; a trailing space makes them new.
    this._announcement = this._announcement === text ? `${text} ` : text;
  }

  /** Still nobody has it: the same sound again, and the screen reader says so. */
  private _announceRealerted(a: Alarm): void {
    beep();
    const what = [typeLabel(a.type), subjectName(a)].filter(Boolean).join(', ');
    const text = msg(str`Still not taken: ${what}`, { id: 'queue.announce-realert' });
    this._announcement = this._announcement === text ? `${text} ` : text;
  }

  private async _onCommand(e: CustomEvent<CommandRequest>): Promise<void> {
    const { alarmId, command } = e.detail;
    if (this._busy.has(alarmId)) return;
    this._busy = new Set(this._busy).add(alarmId);
    try {
      const res = await sendAlarmCommand(this.session.token, alarmId, command);
      this._live?.feed.applyLocal(res.alarm);
      this._toast = null;
    } catch (err) {
      this._toast = errorMessage(err);
    } finally {
      const busy = new Set(this._busy);
      busy.delete(alarmId);
      this._busy = busy;
    }
  }

  private _onDetails(e: CustomEvent<string>): void {
    this._detailsId = e.detail;
  }

  private _closeDetails(): void {
    const id = this._detailsId;
    this._detailsId = null;
    // Back to where the operator came from.
    void this.updateComplete.then(() => {
      const card = this.renderRoot.querySelector(`li[data-alarm-id="${id}"] trygg-alarm-card`);
      card?.querySelector<HTMLElement>('[data-action="details"]')?.focus();
    });
  }

  override render() {
    const live = this._live;
    const alarms = live?.feed.list() ?? [];
    const lost = live?.connection === 'lost';
    const userId = this.session.user.userId;
    const operator = this.session.user.roles.includes('operator');
    const detailsVersion = this._detailsId ? (live?.feed.get(this._detailsId)?.version ?? -1) : 0;
    return html`
      ${
        lost
          ? html`<p class="banner" role="status" data-testid="connection-lost">
              ${msg('Connection lost — reconnecting…', { id: 'queue.connection-lost' })}
            </p>`
          : null
      }
      <trygg-system-status
        .integrations=${live?.integrations ?? []}
        .duty=${live?.duty ?? null}
        .now=${this._now}
      ></trygg-system-status>
      <div class="visually-hidden" aria-live="polite" data-testid="announcer">${this._announcement}</div>
      ${
        this._toast
          ? html`<div class="toast" role="alert" data-testid="toast">
              <span>${this._toast}</span>
              <button type="button" data-action="dismiss-toast" @click=${() => (this._toast = null)}>
                ${msg('Dismiss', { id: 'queue.dismiss' })}
              </button>
            </div>`
          : null
      }
      <div class="layout ${this._detailsId ? 'with-details' : ''}">
        <section aria-labelledby="queue-title">
          <h2 id="queue-title">
            ${msg('Open alarms', { id: 'queue.title' })} <span data-testid="alarm-count">(${alarms.length})</span>
          </h2>
          ${
            !live?.loaded
              ? html`<p class="empty" aria-busy="true">${msg('Loading alarms…', { id: 'queue.loading' })}</p>`
              : alarms.length === 0
                ? html`<p class="empty" data-testid="queue-empty">${msg('No open alarms', { id: 'queue.empty' })}</p>`
                : html`<ul aria-labelledby="queue-title" @trygg-command=${this._onCommand} @trygg-details=${this._onDetails}>
                    ${repeat(
                      alarms,
                      (a) => a.id,
                      (a) =>
                        html`<li data-alarm-id=${a.id} data-state=${a.state} data-priority=${a.priority}>
                          <trygg-alarm-card
                            .alarm=${a}
                            .userId=${userId}
                            .now=${this._now}
                            ?operator=${operator}
                            ?busy=${this._busy.has(a.id)}
                          ></trygg-alarm-card>
                        </li>`,
                    )}
                  </ul>`
          }
          ${operator ? html`<trygg-supervision-view .token=${this.session.token}></trygg-supervision-view>` : null}
        </section>
        ${
          this._detailsId
            ? html`<trygg-alarm-details
                .alarmId=${this._detailsId}
                .version=${detailsVersion}
                .token=${this.session.token}
                .userId=${this.session.user.userId}
                @trygg-close=${this._closeDetails}
              ></trygg-alarm-details>`
            : null
        }
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'trygg-alarm-queue': TryggAlarmQueue;
  }
}
