/**
 * The administrator's view of the patient journal: how many entries wait, how long the oldest
 * has waited, the alert when that is too long (live, from the server), and the entries with
 * their state and last error, each of which can be sent again.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { localized, msg, str } from '@lit/localize';
import { io, type Socket } from 'socket.io-client';
import type {
  ClientToServerEvents,
  JournalBacklogState,
  JournalEntry,
  LoginResponse,
  ServerToClientEvents,
} from '@trygg/alarm-core';
import { errorMessage } from '../api.js';
import { fetchJournalBacklog, fetchJournalEntries, resendJournalEntry } from '../data/journal.js';
import { formatAge, formatTime, typeLabel } from '../labels.js';
import { shared } from '../styles.js';

const REFRESH_MS = 30_000;
type Filter = 'undelivered' | 'all';

function stateLabel(s: JournalEntry['status']): string {
  switch (s) {
    case 'pending':
      return msg('Waiting', { id: 'journal.state.pending' });
    case 'sent':
      return msg('Sent, awaiting the journal', { id: 'journal.state.sent' });
    case 'journaled':
      return msg('In the journal', { id: 'journal.state.journaled' });
    case 'failed':
      return msg('Failed', { id: 'journal.state.failed' });
  }
}

@customElement('trygg-journal-admin')
@localized()
export class TryggJournalAdmin extends LitElement {
  static override styles = [
    shared,
    css`
      :host {
        display: grid;
        gap: 1rem;
      }
      h2 {
        margin: 0;
        font-size: 1.5rem;
      }
      .alert {
        margin: 0;
        padding: 0.75rem 1rem;
        background: #fde8eb;
        color: var(--trygg-danger);
        border-left: 8px solid var(--trygg-danger);
        border-radius: 6px;
        font-weight: 700;
        font-size: 1.125rem;
      }
      dl {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr));
        gap: 0.75rem;
        margin: 0;
      }
      dl div {
        border: 2px solid var(--trygg-line);
        border-radius: 8px;
        padding: 0.5rem 0.75rem;
      }
      dt {
        color: var(--trygg-muted);
      }
      dd {
        margin: 0;
        font-size: 1.5rem;
        font-weight: 700;
      }
      .controls {
        display: flex;
        flex-wrap: wrap;
        gap: 0.75rem;
        align-items: center;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: 0.5rem;
      }
      li {
        display: flex;
        flex-wrap: wrap;
        gap: 0.25rem 1rem;
        align-items: center;
        border: 2px solid var(--trygg-line);
        border-left-width: 8px;
        border-radius: 8px;
        padding: 0.5rem 0.75rem;
      }
      li[data-status='failed'] {
        border-left-color: var(--trygg-danger);
      }
      li[data-status='journaled'] {
        border-left-color: #1b7f3b;
      }
      .what {
        flex: 1 1 14rem;
        font-weight: 600;
      }
      .error {
        flex-basis: 100%;
        color: var(--trygg-danger);
        overflow-wrap: anywhere;
      }
      .muted {
        color: var(--trygg-muted);
      }
    `,
  ];

  @property({ attribute: false }) session!: LoginResponse;

  @state() private _backlog: JournalBacklogState | null = null;
  @state() private _entries: JournalEntry[] = [];
  @state() private _filter: Filter = 'undelivered';
  @state() private _error: string | null = null;
  @state() private _busy = new Set<string>();

  private _socket: Socket<ServerToClientEvents, ClientToServerEvents> | null = null;
  private _timer: ReturnType<typeof setInterval> | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    void this._load();
    this._timer = setInterval(() => void this._load(), REFRESH_MS);
    // The alert arrives the moment the server raises or clears it; the list follows.
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io({
      path: '/socket.io',
      auth: { token: this.session.token },
      transports: ['websocket'],
    });
    socket.on('journal:backlog', (b) => {
      this._backlog = b;
      void this._load();
    });
    this._socket = socket;
  }

  override disconnectedCallback(): void {
    clearInterval(this._timer);
    this._socket?.close();
    this._socket = null;
    super.disconnectedCallback();
  }

  private async _load(): Promise<void> {
    const token = this.session.token;
    try {
      const [backlog, entries] = await Promise.all([fetchJournalBacklog(token), fetchJournalEntries(token, this._filter)]);
      this._backlog = backlog;
      this._entries = entries;
      this._error = null;
    } catch (err) {
      this._error = errorMessage(err);
    }
  }

  private async _resend(entry: JournalEntry): Promise<void> {
    this._busy = new Set([...this._busy, entry.id]);
    try {
      const updated = await resendJournalEntry(this.session.token, entry.id);
      this._entries = this._entries.map((e) => (e.id === updated.id ? updated : e));
      this._error = null;
    } catch (err) {
      this._error = errorMessage(err);
    } finally {
      const next = new Set(this._busy);
      next.delete(entry.id);
      this._busy = next;
    }
  }

  private _setFilter(e: Event): void {
    this._filter = (e.target as HTMLSelectElement).value as Filter;
    void this._load();
  }

  override render() {
    const b = this._backlog;
    const now = Date.now();
    const oldest = b?.oldestUndeliveredS ?? null;
    return html`
      <h2>${msg('Patient journal', { id: 'journal.title' })}</h2>
      ${
        b?.alerting
          ? html`<p class="alert" role="alert" data-testid="journal-alert">
              ${msg(
                str`Journal entries have waited more than ${Math.round(b.alertAfterS / 60)} min. Check the journal connection.`,
                { id: 'journal.alert' },
              )}
            </p>`
          : null
      }
      ${this._error ? html`<p class="alert" role="alert">${this._error}</p>` : null}
      ${
        b
          ? html`<dl data-testid="journal-backlog">
              <div>
                <dt>${msg('Waiting', { id: 'journal.state.pending' })}</dt>
                <dd>${b.pending}</dd>
              </div>
              <div>
                <dt>${msg('Sent, awaiting the journal', { id: 'journal.state.sent' })}</dt>
                <dd>${b.sent}</dd>
              </div>
              <div>
                <dt>${msg('Failed', { id: 'journal.state.failed' })}</dt>
                <dd data-testid="journal-failed">${b.failed}</dd>
              </div>
              <div>
                <dt>${msg('In the journal', { id: 'journal.state.journaled' })}</dt>
                <dd>${b.journaled}</dd>
              </div>
              <div>
                <dt>${msg('Oldest undelivered', { id: 'journal.oldest' })}</dt>
                <dd>${oldest === null ? '–' : formatAge(new Date(now - oldest * 1000).toISOString(), now)}</dd>
              </div>
            </dl>`
          : null
      }
      <div class="controls">
        <label>
          ${msg('Show', { id: 'journal.show' })}
          <select @change=${this._setFilter} .value=${this._filter}>
            <option value="undelivered">${msg('Not yet in the journal', { id: 'journal.filter.undelivered' })}</option>
            <option value="all">${msg('All, newest first', { id: 'journal.filter.all' })}</option>
          </select>
        </label>
        <button type="button" @click=${() => void this._load()}>${msg('Refresh', { id: 'journal.refresh' })}</button>
      </div>
      ${
        this._entries.length === 0
          ? html`<p class="muted">${msg('Nothing waits for the journal.', { id: 'journal.empty' })}</p>`
          : html`<ul data-testid="journal-entries">
              ${repeat(
                this._entries,
                (e) => e.id,
                (e) =>
                  html`<li data-status=${e.status} data-entry=${e.alarmId ?? e.id}>
                    <span class="what">
                      ${e.kind === 'dispenser' ? msg('Dose dispensed', { id: 'journal.kind.dispensed' }) : typeLabel(e.type)}
                      <span class="muted">· ${formatTime(e.createdAt)}</span>
                    </span>
                    <span data-testid="journal-state">${stateLabel(e.status)}</span>
                    <span class="muted">${msg(str`${e.attempts} attempts`, { id: 'journal.attempts' })}</span>
                    ${
                      e.status === 'journaled'
                        ? null
                        : html`<button
                            type="button"
                            data-action="resend"
                            ?disabled=${this._busy.has(e.id)}
                            @click=${() => void this._resend(e)}
                          >
                            ${msg('Send again', { id: 'journal.resend' })}
                          </button>`
                    }
                    ${e.lastError ? html`<span class="error">${e.lastError}</span>` : null}
                  </li>`,
              )}
            </ul>`
      }
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'trygg-journal-admin': TryggJournalAdmin;
  }
}
