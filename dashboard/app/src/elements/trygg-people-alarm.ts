/**
 * One alarm as night staff and relatives see it on a phone: what and where, who took it and
 * when, when it was resolved, and the buttons this person has now: Accept ("I'm going") /
 * Decline while they are asked, Arrived and Resolved once they took it. Big targets, plain words.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { localized, msg, str } from '@lit/localize';
import type { Alarm, AlarmCommand } from '@trygg/alarm-core';
import { formatClock, priorityClass, subjectName, subjectPlace, typeLabel } from '../labels.js';
import { shared } from '../styles.js';

/** What staff and relatives do with an alarm from their phones (operators claim and dispatch on the console). */
export type PeopleCommand = Extract<AlarmCommand['type'], 'accept' | 'decline' | 'arrived' | 'resolve'>;

@customElement('trygg-people-alarm')
@localized()
export class TryggPeopleAlarm extends LitElement {
  static override styles = [
    shared,
    css`
      :host {
        display: block;
      }
      article {
        background: var(--trygg-surface);
        border: 2px solid var(--trygg-line);
        border-left: 10px solid var(--trygg-other);
        border-radius: 8px;
        padding: 0.75rem 1rem;
      }
      article[data-priority='fire'] {
        border-left-color: var(--trygg-fire);
      }
      article[data-priority='fall'] {
        border-left-color: var(--trygg-fall);
      }
      article[data-priority='call'] {
        border-left-color: #8a5a00;
      }
      article.closed {
        border-left-color: #1d6b33;
      }
      h3 {
        margin: 0;
        font-size: 1.25rem;
      }
      p {
        margin: 0.25rem 0;
      }
      .status {
        font-weight: 600;
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 0.75rem;
        margin-top: 0.75rem;
      }
      .actions button {
        flex: 1 1 9rem;
        min-height: 48px;
        font-size: 1.0625rem;
      }
      label {
        display: block;
        font-weight: 600;
        margin-top: 0.5rem;
      }
      textarea {
        width: 100%;
        min-height: 4.5rem;
      }
    `,
  ];

  @property({ attribute: false }) alarm!: Alarm;
  /** The signed-in person. */
  @property() userId = '';
  @property({ type: Boolean }) busy = false;
  @state() private _resolving = false;
  @state() private _note = '';

  private _send(type: PeopleCommand, extra: Record<string, unknown> = {}): void {
    this.dispatchEvent(
      new CustomEvent('trygg-command', { detail: { alarmId: this.alarm.id, type, ...extra }, bubbles: true, composed: true }),
    );
  }

  private _status() {
    const a = this.alarm;
    const taker = a.escalation.alerts.find((x) => x.state === 'accepted');
    const takenAt = formatClock(taker?.changedAt ?? a.updatedAt);
    const by = a.claimedBy?.name ?? '?';
    switch (a.state) {
      case 'open':
        return msg('Nobody has taken it yet', { id: 'people.status.open' });
      case 'claimed':
        return msg(str`${by} took it at ${takenAt}`, { id: 'people.status.claimed' });
      case 'arrived':
        return msg(str`${by} is there (took it at ${takenAt})`, { id: 'people.status.arrived' });
      case 'resolved': {
        const at = formatClock(a.closedAt ?? a.updatedAt);
        return msg(str`Resolved at ${at} by ${by}`, { id: 'people.status.resolved' });
      }
      case 'cancelled':
        return msg('Cancelled from the device', { id: 'people.status.cancelled' });
    }
  }

  override render() {
    const a = this.alarm;
    const mine = a.escalation.alerts.find((x) => x.recipient.userId === this.userId && x.state !== 'informed');
    const asked = a.state === 'open' && (mine?.state === 'pending' || mine?.state === 'declined' || mine?.state === 'expired');
    const took = a.claimedBy?.userId === this.userId && (a.state === 'claimed' || a.state === 'arrived');
    const closed = a.state === 'resolved' || a.state === 'cancelled';
    const headingId = `alarm-${a.id}`;
    return html`<article
      aria-labelledby=${headingId}
      data-alarm-id=${a.id}
      data-state=${a.state}
      data-priority=${priorityClass(a.priority)}
      class=${closed ? 'closed' : ''}
    >
      <h3 id=${headingId}>${typeLabel(a.type)} – ${subjectName(a)}</h3>
      <p>${subjectPlace(a)} · ${formatClock(a.openedAt)}</p>
      <p class="status" data-testid="status">${this._status()}</p>
      ${mine?.state === 'declined' && asked ? html`<p>${msg('You said you cannot go.', { id: 'people.declined' })}</p>` : null}
      ${
        asked
          ? html`<div class="actions">
              <button
                type="button"
                class="primary"
                data-action="accept"
                ?disabled=${this.busy}
                @click=${() => this._send('accept')}
              >
                ${msg("I'm going", { id: 'people.accept' })}
              </button>
              ${
                mine?.state === 'declined'
                  ? null
                  : html`<button type="button" data-action="decline" ?disabled=${this.busy} @click=${() => this._send('decline')}>
                      ${msg("I can't", { id: 'people.decline' })}
                    </button>`
              }
            </div>`
          : null
      }
      ${took ? this._own() : null}
    </article>`;
  }

  private _own() {
    const a = this.alarm;
    if (this._resolving) {
      const noteId = `note-${a.id}`;
      return html`<label for=${noteId}>${msg('What was done?', { id: 'people.note' })}</label>
        <textarea
          id=${noteId}
          .value=${this._note}
          @input=${(e: Event) => (this._note = (e.target as HTMLTextAreaElement).value)}
        ></textarea>
        <div class="actions">
          <button
            type="button"
            class="primary"
            data-action="confirm-resolve"
            ?disabled=${this.busy}
            @click=${() => {
              this._send('resolve', { note: this._note });
              this._resolving = false;
            }}
          >
            ${msg('Mark resolved', { id: 'people.confirm-resolve' })}
          </button>
          <button type="button" @click=${() => (this._resolving = false)}>${msg('Cancel', { id: 'card.cancel' })}</button>
        </div>`;
    }
    return html`<div class="actions">
      ${
        a.state === 'claimed'
          ? html`<button type="button" data-action="arrived" ?disabled=${this.busy} @click=${() => this._send('arrived')}>
              ${msg("I'm there", { id: 'people.arrived' })}
            </button>`
          : null
      }
      <button type="button" class="primary" data-action="resolve" ?disabled=${this.busy} @click=${() => (this._resolving = true)}>
        ${msg('Resolved', { id: 'people.resolve' })}
      </button>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'trygg-people-alarm': TryggPeopleAlarm;
  }
}
