/**
 * One alarm in the queue: who, where, what, how long ago, its state, and what the operator can
 * do now. Actions leave as events (`trygg-command`, `trygg-details`) for the queue to carry out.
 */
import { LitElement, css, html } from 'lit';
import { formText } from '../form.js';
import { customElement, property, state } from 'lit/decorators.js';
import { localized, msg, str } from '@lit/localize';
import type { Alarm, AlarmCommand } from '@trygg/alarm-core';
import { formatAge, priorityClass, stateLabel, subjectName, subjectPlace, typeLabel } from '../labels.js';

export interface CommandRequest {
  alarmId: string;
  command: AlarmCommand;
}

@customElement('trygg-alarm-card')
@localized()
export class TryggAlarmCard extends LitElement {
  /**
   * Adopted by the queue, whose shadow root the card renders into (see createRenderRoot);
   * every rule is scoped by the tag because there is no shadow boundary to do it.
   */
  static override styles = css`
    trygg-alarm-card {
      display: block;
    }
    trygg-alarm-card article {
      display: grid;
      grid-template-columns: minmax(0, 1fr) auto;
      gap: 0.5rem 1rem;
      padding: 0.75rem 1rem 0.75rem 1.25rem;
      background: var(--trygg-surface);
      border: 1px solid var(--trygg-line);
      border-left: 12px solid var(--band);
      border-radius: 8px;
    }
    trygg-alarm-card article.fire {
      --band: var(--trygg-fire);
      background: #fff3f4;
    }
    trygg-alarm-card article.fall {
      --band: var(--trygg-fall);
      background: #fff6ef;
    }
    trygg-alarm-card article.call {
      --band: var(--trygg-call);
    }
    trygg-alarm-card article.other {
      --band: var(--trygg-other);
    }
    trygg-alarm-card .what {
      display: flex;
      flex-wrap: wrap;
      align-items: baseline;
      gap: 0.25rem 0.75rem;
    }
    trygg-alarm-card .type {
      font-size: 1.25rem;
      font-weight: 700;
    }
    trygg-alarm-card .fire .type {
      color: var(--trygg-fire);
    }
    trygg-alarm-card .fall .type {
      color: #9a3412;
    }
    trygg-alarm-card .badge {
      display: inline-block;
      padding: 0.125rem 0.625rem;
      border-radius: 999px;
      border: 2px solid var(--trygg-ink);
      font-weight: 700;
      font-size: 0.9375rem;
    }
    trygg-alarm-card .badge.open {
      background: var(--trygg-ink);
      color: #fff;
    }
    trygg-alarm-card .who {
      margin: 0.25rem 0 0;
      font-size: 1.125rem;
      font-weight: 600;
    }
    trygg-alarm-card .where {
      margin: 0;
      color: var(--trygg-muted);
    }
    trygg-alarm-card .age {
      font-variant-numeric: tabular-nums;
      font-weight: 700;
      white-space: nowrap;
    }
    trygg-alarm-card .actions {
      display: flex;
      flex-wrap: wrap;
      gap: 0.5rem;
      align-items: center;
      justify-content: flex-end;
      align-self: center;
    }
    trygg-alarm-card form {
      grid-column: 1 / -1;
      display: grid;
      gap: 0.5rem;
    }
    trygg-alarm-card form label {
      font-weight: 600;
    }
    trygg-alarm-card textarea {
      width: 100%;
      min-height: 5rem;
      resize: vertical;
    }
    trygg-alarm-card .form-actions {
      display: flex;
      gap: 0.5rem;
      flex-wrap: wrap;
    }
    @media (max-width: 640px) {
      trygg-alarm-card article {
        grid-template-columns: 1fr;
      }
      trygg-alarm-card .actions {
        justify-content: flex-start;
      }
    }
  `;

  @property({ attribute: false }) alarm!: Alarm;
  /** The signed-in user: only the one who claimed an alarm may resolve it. */
  @property({ attribute: false }) userId = '';
  /** Shared clock from the queue, so all ages tick together. */
  @property({ attribute: false }) now = Date.now();
  /** A command for this alarm is on its way: no second tap. */
  @property({ type: Boolean }) busy = false;

  @state() private _resolving = false;

  // No shadow root of its own: the row's text (li[data-alarm-id]) is then the card's text, so
  // innerText, copy-paste and end-to-end assertions on a row see what the operator sees.
  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  private _command(command: AlarmCommand): void {
    this.dispatchEvent(
      new CustomEvent<CommandRequest>('trygg-command', {
        detail: { alarmId: this.alarm.id, command },
        bubbles: true,
        composed: true,
      }),
    );
  }

  private _claim(): void {
    this._command({ id: crypto.randomUUID(), type: 'claim' });
  }

  private async _openResolve(): Promise<void> {
    this._resolving = true;
    await this.updateComplete;
    this.renderRoot.querySelector('textarea')?.focus();
  }

  private _closeResolve(): void {
    this._resolving = false;
  }

  private _confirmResolve(e: SubmitEvent): void {
    e.preventDefault();
    const note = formText(new FormData(e.target as HTMLFormElement), 'note').trim();
    this._command({ id: crypto.randomUUID(), type: 'resolve', note });
  }

  private _details(): void {
    this.dispatchEvent(new CustomEvent<string>('trygg-details', { detail: this.alarm.id, bubbles: true, composed: true }));
  }

  override render() {
    const a = this.alarm;
    const mine = a.state === 'claimed' && a.claimedBy?.userId === this.userId;
    const place = subjectPlace(a);
    const noteId = `note-${a.id}`;
    return html`
      <article class=${priorityClass(a.priority)} aria-labelledby="what-${a.id}">
        <div>
          <div class="what" id="what-${a.id}">
            <span class="type">${typeLabel(a.type)}</span>
            <span class="badge ${a.state}" data-testid="state-badge">${stateLabel(a)}</span>
            <time class="age" datetime=${a.openedAt}>${formatAge(a.openedAt, this.now)}</time>
            ${a.eventCount > 1 ? html`<span>${msg(str`${a.eventCount} signals`, { id: 'card.event-count' })}</span>` : null}
          </div>
          <p class="who">${subjectName(a)}</p>
          ${place ? html`<p class="where">${place}</p>` : null}
        </div>
        <div class="actions">
          ${
            a.state === 'open'
              ? html`<button class="primary" type="button" data-action="claim" ?disabled=${this.busy} @click=${this._claim}>
                  ${msg('Claim', { id: 'card.claim' })}
                </button>`
              : null
          }
          ${
            mine && !this._resolving
              ? html`<button
                  class="primary"
                  type="button"
                  data-action="resolve"
                  ?disabled=${this.busy}
                  @click=${this._openResolve}
                >
                  ${msg('Resolve', { id: 'card.resolve' })}
                </button>`
              : null
          }
          <button type="button" data-action="details" @click=${this._details}>${msg('Details', { id: 'card.details' })}</button>
        </div>
        ${
          mine && this._resolving
            ? html`<form @submit=${this._confirmResolve} @keydown=${this._onFormKey}>
                <label for=${noteId}>${msg('What was done? (note for the journal)', { id: 'card.note' })}</label>
                <textarea id=${noteId} name="note" maxlength="2000"></textarea>
                <div class="form-actions">
                  <button class="primary" type="submit" data-action="confirm-resolve" ?disabled=${this.busy}>
                    ${msg('Confirm resolved', { id: 'card.confirm-resolve' })}
                  </button>
                  <button type="button" data-action="cancel-resolve" @click=${this._closeResolve}>
                    ${msg('Cancel', { id: 'card.cancel' })}
                  </button>
                </div>
              </form>`
            : null
        }
      </article>
    `;
  }

  private _onFormKey(e: KeyboardEvent): void {
    if (e.key === 'Escape') this._closeResolve();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'trygg-alarm-card': TryggAlarmCard;
  }
}
