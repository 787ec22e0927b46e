/**
 * One alarm in the queue: who, where, what, how long ago, its state, how far the escalation
 * has come, and what the operator can do now. Actions leave as events (`trygg-command`,
 * `trygg-details`) for the queue to carry out.
 */
import { LitElement, css, html } from 'lit';
import { formText } from '../form.js';
import { customElement, property, state } from 'lit/decorators.js';
import { localized, msg, str } from '@lit/localize';
import type { Alarm, AlarmCommand } from '@trygg/alarm-core';
import { escalationSummary } from '../escalation-text.js';
import { formatAge, priorityClass, stateLabel, subjectName, subjectPlace, typeLabel } from '../labels.js';
import { ACTION_CODES, CAUSE_CODES, actionLabel, causeLabel, isAction, isCause } from '../resolution-codes.js';

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
    trygg-alarm-card .escalation {
      margin: 0.375rem 0 0;
      padding-top: 0.375rem;
      border-top: 1px solid var(--trygg-line);
      font-weight: 600;
    }
    trygg-alarm-card .urgent {
      color: var(--trygg-danger);
      font-weight: 700;
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
    trygg-alarm-card .codes {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr));
      gap: 0.5rem 1rem;
    }
    trygg-alarm-card .codes label {
      display: grid;
      gap: 0.25rem;
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
  /** The signed-in user: the one who claimed an alarm reports arrival. */
  @property({ attribute: false }) userId = '';
  /** Signed in as an operator: may claim, and resolve any alarm someone has taken. */
  @property({ type: Boolean }) operator = false;
  /** Shared clock from the queue, so all ages tick together. */
  @property({ attribute: false }) now = Date.now();
  /** A command for this alarm is on its way: no second tap. */
  @property({ type: Boolean }) busy = false;

  @state() private _resolving = false;
  @state() private _dispatching = false;

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

  private _arrived(): void {
    this._command({ id: crypto.randomUUID(), type: 'arrived' });
  }

  private _confirmResolve(e: SubmitEvent): void {
    e.preventDefault();
    const data = new FormData(e.target as HTMLFormElement);
    const note = formText(data, 'note').trim();
    const cause = formText(data, 'cause');
    const action = formText(data, 'action');
    // Cause and action are optional: sent only when the operator chose one.
    this._command({
      id: crypto.randomUUID(),
      type: 'resolve',
      note,
      ...(isCause(cause) ? { cause } : {}),
      ...(isAction(action) ? { action } : {}),
    });
  }

  private _confirmDispatch(e: SubmitEvent): void {
    e.preventDefault();
    const to = formText(new FormData(e.target as HTMLFormElement), 'to').trim();
    if (!to) return;
    this._command({ id: crypto.randomUUID(), type: 'dispatch', to });
    this._dispatching = false;
  }

  private _details(): void {
    this.dispatchEvent(new CustomEvent<string>('trygg-details', { detail: this.alarm.id, bubbles: true, composed: true }));
  }

  override render() {
    const a = this.alarm;
    const taken = a.state === 'claimed' || a.state === 'arrived';
    const mine = taken && a.claimedBy?.userId === this.userId;
    // The server's rule: the one who took it, or any operator (after a follow-up, say).
    const canResolve = taken && (mine || this.operator);
    const place = subjectPlace(a);
    const noteId = `note-${a.id}`;
    const summary = escalationSummary(a, this.now);
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
          ${
            summary.length > 0
              ? html`<p class="escalation" data-testid="escalation-summary">
                  ${summary.map(
                    (p, i) =>
                      html`${i > 0 ? ' · ' : null}${
                        p.urgent ? html`<strong class="urgent"><span aria-hidden="true">⚠ </span>${p.text}</strong>` : p.text
                      }`,
                  )}
                </p>`
              : null
          }
        </div>
        <div class="actions">
          ${
            a.state === 'open' && this.operator
              ? html`<button class="primary" type="button" data-action="claim" ?disabled=${this.busy} @click=${this._claim}>
                  ${msg('Claim', { id: 'card.claim' })}
                </button>`
              : null
          }
          ${
            mine && a.state === 'claimed'
              ? html`<button type="button" data-action="arrived" ?disabled=${this.busy} @click=${this._arrived}>
                  ${msg('Arrived', { id: 'card.arrived' })}
                </button>`
              : null
          }
          ${
            canResolve && !this._resolving
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
          ${
            mine && this.operator && !this._dispatching
              ? html`<button
                  type="button"
                  data-action="dispatch"
                  ?disabled=${this.busy}
                  @click=${() => (this._dispatching = true)}
                >
                  ${msg('Dispatch', { id: 'card.dispatch' })}
                </button>`
              : null
          }
          <button type="button" data-action="details" @click=${this._details}>${msg('Details', { id: 'card.details' })}</button>
        </div>
        ${
          mine && this.operator && this._dispatching
            ? html`<form @submit=${this._confirmDispatch}>
                <label for="to-${a.id}">${msg('Who goes out?', { id: 'card.dispatch-to' })}</label>
                <input id="to-${a.id}" name="to" maxlength="200" .value=${msg('Home care', { id: 'card.dispatch-default' })} />
                <div class="form-actions">
                  <button class="primary" type="submit" data-action="confirm-dispatch" ?disabled=${this.busy}>
                    ${msg('Send out', { id: 'card.confirm-dispatch' })}
                  </button>
                  <button type="button" @click=${() => (this._dispatching = false)}>
                    ${msg('Cancel', { id: 'card.cancel' })}
                  </button>
                </div>
              </form>`
            : null
        }
        ${
          canResolve && this._resolving
            ? html`<form @submit=${this._confirmResolve} @keydown=${this._onFormKey}>
                <label for=${noteId}>${msg('What was done? (note for the journal)', { id: 'card.note' })}</label>
                <textarea id=${noteId} name="note" maxlength="2000"></textarea>
                <div class="codes">
                  <label>
                    ${msg('Cause (optional)', { id: 'card.cause' })}
                    <select name="cause">
                      <option value="">${msg('Not given', { id: 'card.not-given' })}</option>
                      ${CAUSE_CODES.map((c) => html`<option value=${c}>${causeLabel(c)}</option>`)}
                    </select>
                  </label>
                  <label>
                    ${msg('Action taken (optional)', { id: 'card.action' })}
                    <select name="action">
                      <option value="">${msg('Not given', { id: 'card.not-given' })}</option>
                      ${ACTION_CODES.map((c) => html`<option value=${c}>${actionLabel(c)}</option>`)}
                    </select>
                  </label>
                </div>
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
