/**
 * Sign-in form. On success it fires `trygg-signed-in` with the login response; the app keeps
 * the session. A refused sign-in shows the server's message next to the form.
 */
import { LitElement, css, html } from 'lit';
import { formText } from '../form.js';
import { customElement, property, state } from 'lit/decorators.js';
import { localized, msg } from '@lit/localize';
import type { LoginResponse } from '@trygg/alarm-core';
import { errorMessage } from '../api.js';
import { fetchSignInMethods, providerSignInUrl, signIn } from '../data/auth.js';
import { startProviderSignIn } from '../session.js';
import { shared } from '../styles.js';
import './trygg-link-request.js';

@customElement('trygg-login')
@localized()
export class TryggLogin extends LitElement {
  static override styles = [
    shared,
    css`
      :host {
        display: block;
      }
      form {
        max-width: 26rem;
        margin: clamp(1rem, 8vh, 4rem) auto;
        padding: 1.5rem;
        background: var(--trygg-surface);
        border: 1px solid var(--trygg-line);
        border-radius: 10px;
        display: grid;
        gap: 1rem;
      }
      h2 {
        margin: 0;
        font-size: 1.5rem;
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
      .error {
        margin: 0;
        padding: 0.75rem 1rem;
        border-left: 6px solid var(--trygg-danger);
        background: #fde8eb;
        color: var(--trygg-danger);
        font-weight: 600;
      }
      button {
        font-size: 1.125rem;
      }
      a.oidc {
        display: flex;
        align-items: center;
        justify-content: center;
        min-height: 48px;
        padding: 0.5rem 1rem;
        border-radius: 6px;
        background: var(--trygg-primary);
        color: var(--trygg-primary-ink);
        font-weight: 700;
        font-size: 1.125rem;
        text-decoration: none;
      }
      .link {
        max-width: 26rem;
        margin: 0 auto clamp(1rem, 8vh, 4rem);
        padding: 1.5rem;
        background: var(--trygg-surface);
        border: 1px solid var(--trygg-line);
        border-radius: 10px;
        display: grid;
        gap: 1rem;
      }
      .link > button {
        min-height: 48px;
        font-size: 1.125rem;
      }
      .or {
        margin: 0;
        text-align: center;
        color: var(--trygg-muted);
      }
    `,
  ];

  @state() private _busy = false;
  /** Set by the app when a sign-in through the identity provider came back refused. */
  @property({ attribute: false }) error: string | null = null;
  @state() private _error: string | null = null;
  /** Set by the app when a sign-in link was used before or had run out: offer a new one at once. */
  @property({ type: Boolean }) linkRefused = false;
  @state() private _askLink = false;
  /** Whether sign-in links can be sent by SMS here. */
  @state() private _linkBySms = true;
  /** Whether the municipality's identity provider is offered. */
  @state() private _oidc = false;

  override connectedCallback(): void {
    super.connectedCallback();
    fetchSignInMethods()
      .then((m) => {
        this._oidc = m.oidc;
        this._linkBySms = m.linkBySms;
      })
      .catch(() => undefined); // local sign-in still works
  }

  /** Through the identity provider, with this tab's own state (the server refuses a start without one). */
  private _onProviderSignIn(e: Event): void {
    e.preventDefault();
    startProviderSignIn();
  }

  private async _onSubmit(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    if (this._busy) return;
    const data = new FormData(e.target as HTMLFormElement);
    const username = formText(data, 'username').trim();
    const password = formText(data, 'password');
    if (!username || !password) {
      this._error = msg('Enter both username and password.', { id: 'login.missing' });
      return;
    }
    this._busy = true;
    this._error = null;
    try {
      const res = await signIn(username, password);
      this.dispatchEvent(new CustomEvent<LoginResponse>('trygg-signed-in', { detail: res, bubbles: true, composed: true }));
    } catch (err) {
      this._error = errorMessage(err);
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLInputElement>('input[name="password"]')?.select();
    } finally {
      this._busy = false;
    }
  }

  private async _onAskLink(): Promise<void> {
    this._askLink = true;
    await this.updateComplete;
    this.renderRoot.querySelector('trygg-link-request')?.renderRoot.querySelector<HTMLInputElement>('input')?.focus();
  }

  /** A used or run-out link, and the way to a new one; or the button that opens that form. */
  private _linkPart() {
    const open = this._askLink || this.linkRefused;
    return html`<section class="link" aria-label=${msg('Sign-in link', { id: 'link.section' })}>
      ${
        this.linkRefused
          ? html`<p class="error" role="alert" data-testid="link-refused">
              ${msg('This sign-in link has already been used or has run out. Links work once, for a short while.', { id: 'link.refused' })}
            </p>`
          : null
      }
      ${
        open
          ? html`<trygg-link-request ?available=${this._linkBySms}></trygg-link-request>`
          : html`<button type="button" data-action="ask-link" @click=${this._onAskLink}>
              ${msg('Send me a new sign-in link', { id: 'link.title' })}
            </button>`
      }
    </section>`;
  }

  override render() {
    return html`
      ${this.linkRefused ? this._linkPart() : null}
      <form @submit=${this._onSubmit} novalidate aria-labelledby="login-title" aria-busy=${this._busy ? 'true' : 'false'}>
        <h2 id="login-title">${msg('Sign in', { id: 'login.title' })}</h2>
        ${
          (this._error ?? this.error)
            ? html`<p class="error" role="alert" data-testid="login-error">${this._error ?? this.error}</p>`
            : null
        }
        ${
          this._oidc
            ? html`<a class="oidc" href=${providerSignInUrl()} data-action="oidc-sign-in" @click=${this._onProviderSignIn}
                  >${msg('Sign in with the municipality', { id: 'login.oidc' })}</a
                >
                <p class="or">${msg('or with a Trygg account', { id: 'login.or-local' })}</p>`
            : null
        }
        <label>
          ${msg('Username', { id: 'login.username' })}
          <input name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required autofocus />
        </label>
        <label>
          ${msg('Password', { id: 'login.password' })}
          <input name="password" type="password" autocomplete="current-password" required />
        </label>
        <button class="primary" type="submit" ?disabled=${this._busy}>
          ${this._busy ? msg('Signing in…', { id: 'login.busy' }) : msg('Sign in', { id: 'login.submit' })}
        </button>
      </form>
      ${this.linkRefused ? null : this._linkPart()}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'trygg-login': TryggLogin;
  }
}
