/**
 * "Send me a new sign-in link": a person types their phone number and, when it is the number on
 * record of a relative or a staff member, a single-use link arrives by SMS. The page says the
 * same whether or not the number is known; without an SMS gateway it says links cannot be sent
 * and to contact the response centre.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { localized, msg } from '@lit/localize';
import { ApiError, errorMessage } from '../api.js';
import { formText } from '../form.js';
import { requestSignInLink } from '../data/signin.js';
import { shared } from '../styles.js';

@customElement('trygg-link-request')
@localized()
export class TryggLinkRequest extends LitElement {
  static override styles = [
    shared,
    css`
      :host {
        display: block;
      }
      form {
        display: grid;
        gap: 0.75rem;
      }
      h3 {
        margin: 0;
        font-size: 1.25rem;
      }
      label {
        display: grid;
        gap: 0.25rem;
        font-weight: 600;
      }
      input {
        width: 100%;
        font-size: 1.125rem;
      }
      button {
        font-size: 1.125rem;
        min-height: 48px;
      }
      p {
        margin: 0;
      }
      .done {
        padding: 0.75rem 1rem;
        border-left: 6px solid var(--trygg-primary);
        background: var(--trygg-surface);
        font-weight: 600;
      }
      .error {
        padding: 0.75rem 1rem;
        border-left: 6px solid var(--trygg-danger);
        background: #fde8eb;
        color: var(--trygg-danger);
        font-weight: 600;
      }
    `,
  ];

  /** Whether an SMS gateway can send links (from the sign-in methods). */
  @property({ type: Boolean }) available = true;
  @state() private _busy = false;
  @state() private _sent = false;
  @state() private _error: string | null = null;

  private async _onSubmit(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    if (this._busy) return;
    const phone = formText(new FormData(e.target as HTMLFormElement), 'phone').trim();
    if (!/^\+?[0-9 ()-]{5,24}$/.test(phone)) {
      this._error = msg('Enter the mobile number we have on record for you, e.g. +47 912 34 567.', { id: 'link.phone-invalid' });
      return;
    }
    this._busy = true;
    this._error = null;
    try {
      await requestSignInLink(phone);
      this._sent = true;
    } catch (err) {
      this._error =
        err instanceof ApiError && err.code === 'TRYGG_ERR_RATE_LIMITED'
          ? msg('Too many links asked for. Wait an hour and try again, or contact the response centre.', { id: 'link.limited' })
          : err instanceof ApiError && err.code === 'TRYGG_ERR_SMS_UNAVAILABLE'
            ? this._unavailableText()
            : errorMessage(err);
    } finally {
      this._busy = false;
    }
  }

  private _unavailableText(): string {
    return msg('Sign-in links cannot be sent by SMS here. Contact the response centre to get a new link.', {
      id: 'link.unavailable',
    });
  }

  override render() {
    const title = html`<h3 id="link-title">${msg('Send me a new sign-in link', { id: 'link.title' })}</h3>`;
    if (!this.available)
      return html`${title}
        <p class="error" data-testid="link-unavailable">${this._unavailableText()}</p>`;
    if (this._sent)
      return html`${title}
        <p class="done" role="status" data-testid="link-sent">
          ${msg('If this number is registered with us, a text message with a new sign-in link is on its way. The link works once, for a short while.', { id: 'link.sent' })}
        </p>`;
    return html`
      <form @submit=${this._onSubmit} novalidate aria-labelledby="link-title" aria-busy=${this._busy ? 'true' : 'false'}>
        ${title}
        <p>${msg('Type your mobile number. We send a link to the number we have on record.', { id: 'link.intro' })}</p>
        ${this._error ? html`<p class="error" role="alert" data-testid="link-error">${this._error}</p>` : null}
        <label>
          ${msg('Mobile number', { id: 'link.phone' })}
          <input name="phone" type="tel" inputmode="tel" autocomplete="tel" required />
        </label>
        <button class="primary" type="submit" data-action="send-link" ?disabled=${this._busy}>
          ${msg('Send link', { id: 'link.send' })}
        </button>
      </form>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'trygg-link-request': TryggLinkRequest;
  }
}
