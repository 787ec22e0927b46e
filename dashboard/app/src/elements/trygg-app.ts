/**
 * The application shell: header with who is signed in, the language picker and sign-out, and
 * either the sign-in form or the alarm queue. Owns the session; any 401 brings it back here.
 */
import { LitElement, css, html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { localized, msg } from '@lit/localize';
import type { LoginResponse } from '@trygg/alarm-core';
import { UNAUTHORIZED_EVENT, errorMessage } from '../api.js';
import { fetchMe } from '../data/auth.js';
import { signInByInvitation } from '../data/relatives.js';
import { signInByLink } from '../data/signin.js';
import { localeForUser } from '../i18n.js';
import {
  UNASKED_SIGN_IN,
  clearSession,
  endSession,
  loadSession,
  needsRenewal,
  renewSession,
  saveSession,
  takeSignInReturn,
  type Session,
} from '../session.js';
import { shared } from '../styles.js';
import './trygg-login.js';
import './trygg-locale-picker.js';
import './trygg-alarm-queue.js';
import './trygg-journal-admin.js';
import './trygg-technician.js';
import './trygg-relative-app.js';
import './trygg-staff-app.js';
import './trygg-statistics.js';
import './trygg-invitations-admin.js';
import './trygg-chain-banner.js';

type View = 'alarms' | 'journal' | 'technician' | 'statistics' | 'invitations';

/** The phone apps of people who are not at the console; everyone else gets the operator console. */
function phoneApp(roles: readonly string[]): 'staff' | 'relative' | null {
  if (roles.includes('operator') || roles.includes('admin')) return null;
  if (roles.includes('staff')) return 'staff';
  if (roles.includes('relative')) return 'relative';
  return null;
}

// customElement must be the outer decorator: it upgrades elements already in the page, and
// they must be constructed with localized()'s initializer in place.
@customElement('trygg-app')
@localized()
export class TryggApp extends LitElement {
  static override styles = [
    shared,
    css`
      :host {
        display: flex;
        flex-direction: column;
        min-height: 100vh;
      }
      header {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.75rem 1.5rem;
        padding: 0.5rem clamp(0.75rem, 2vw, 1.5rem);
        background: var(--trygg-primary);
        color: var(--trygg-primary-ink);
      }
      h1 {
        margin: 0;
        font-size: 1.5rem;
        letter-spacing: 0.02em;
        display: flex;
        align-items: center;
        gap: 0.5rem;
      }
      h1 img {
        width: 32px;
        height: 32px;
      }
      .spacer {
        flex: 1;
      }
      .user {
        display: flex;
        align-items: center;
        gap: 0.75rem;
        flex-wrap: wrap;
      }
      .user button {
        border-color: var(--trygg-primary-ink);
      }
      main {
        flex: 1;
        width: 100%;
        max-width: 1400px;
        margin: 0 auto;
        padding: clamp(0.75rem, 2vw, 1.5rem);
      }
      nav {
        display: flex;
        gap: 0.5rem;
        padding: 0.5rem clamp(0.75rem, 2vw, 1.5rem) 0;
        max-width: 1400px;
        width: 100%;
        margin: 0 auto;
      }
      nav button[aria-current='page'] {
        background: var(--trygg-primary);
        color: var(--trygg-primary-ink);
      }
      .skip {
        position: absolute;
        left: -9999px;
      }
      .skip:focus {
        left: 0.5rem;
        top: 0.5rem;
        z-index: 10;
        background: var(--trygg-surface);
        color: var(--trygg-ink);
        padding: 0.75rem 1rem;
      }
    `,
  ];

  @state() private _session: Session | null = loadSession();
  /** Why a sign-in through the identity provider did not work, for the sign-in page. */
  @state() private _signInError: string | null = null;
  /**
   * Administrators switch between the alarm queue, statistics, the journal, relatives'
   * invitations and the technician's page; operators between the queue and statistics; a
   * technician (who is not also an operator) has the technician's page only; night staff and
   * relatives have their phone apps.
   */
  @state() private _view: View = 'alarms';
  @state() private _invitationError = '';
  /** A sign-in link that was used or had run out: the sign-in page offers a new one. */
  @state() private _linkRefused = false;
  /** A lasting sign-in whose access session is being renewed before the app shows. */
  @state() private _renewing = false;
  private _renewTimer: ReturnType<typeof setTimeout> | undefined;
  private _lastRenewal = 0;

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener(UNAUTHORIZED_EVENT, this._onUnauthorized);
    document.addEventListener('visibilitychange', this._onVisible);
    window.addEventListener('hashchange', this._onHashChange);
    if (this._session) void localeForUser(this._session.user.userId, this._session.user.locale);
    void this._finishProviderSignIn();
    void this._acceptInvitation();
    void this._acceptLink();
    if (this._session && needsRenewal(this._session)) {
      this._renewing = true;
      void this._renew().finally(() => (this._renewing = false));
    } else this._scheduleRenewal();
  }

  /**
   * Renews a lasting sign-in's access session (one minute before it runs out, when the phone
   * wakes the app, and when a call was refused); signs out here when the sign-in has ended.
   */
  private async _renew(): Promise<void> {
    const s = this._session;
    if (!s?.refreshToken) return;
    this._lastRenewal = Date.now();
    const next = await renewSession(s);
    if (this._session !== s) return; // signed out or in anew meanwhile
    if (next) {
      this._session = next;
      this._scheduleRenewal();
    } else this._signOut();
  }

  private _scheduleRenewal(): void {
    clearTimeout(this._renewTimer);
    const s = this._session;
    if (!s?.refreshToken) return;
    const due = Math.max(5_000, Date.parse(s.expiresAt) - Date.now() - 60_000);
    this._renewTimer = setTimeout(() => void this._renew(), Math.min(due, 2 ** 31 - 1));
  }

  /** A link opened in a tab where the app already runs (the address changes only after `#`). */
  private readonly _onHashChange = (): void => {
    void this._acceptInvitation();
    void this._acceptLink();
  };

  private readonly _onVisible = (): void => {
    if (document.visibilityState === 'visible' && this._session && needsRenewal(this._session)) void this._renew();
  };

  /**
   * A sign-in link (`/#link=<token>`, by SMS) signs its person in on this phone and starts a
   * lasting sign-in; the token is single use. A phone already signed in keeps its session and
   * leaves the link unused (it may be someone else's).
   */
  private async _acceptLink(): Promise<void> {
    const m = /(?:^#|&)link=([A-Za-z0-9_-]+)/.exec(location.hash);
    if (!m?.[1]) return;
    history.replaceState(null, '', location.pathname);
    if (this._session) return;
    try {
      const session = await signInByLink(m[1]);
      this._onSignedIn(new CustomEvent('trygg-signed-in', { detail: session }));
      this._linkRefused = false;
    } catch {
      this._linkRefused = true;
    }
  }

  /** An invitation link (`/#invitation=<token>`) signs a relative in; the token is single use. */
  private async _acceptInvitation(): Promise<void> {
    const m = /invitation=([A-Za-z0-9_-]+)/.exec(location.hash);
    if (!m?.[1]) return;
    history.replaceState(null, '', location.pathname);
    try {
      const session = await signInByInvitation(m[1]);
      this._onSignedIn(new CustomEvent('trygg-signed-in', { detail: session }));
      this._invitationError = '';
    } catch (err) {
      this._invitationError = errorMessage(err);
    }
  }

  /** Back from the municipality's identity provider: turn the token it left into a session. */
  private async _finishProviderSignIn(): Promise<void> {
    const back = takeSignInReturn();
    if (!back) return;
    if ('error' in back) {
      this._signInError =
        back.error === 'TRYGG_ERR_UNKNOWN_IDENTITY'
          ? msg('You signed in, but you have no Trygg account yet. Ask an administrator to link it.', {
              id: 'login.oidc-unknown',
            })
          : back.error === UNASKED_SIGN_IN
            ? msg('A sign-in link this page did not ask for was ignored. Sign in yourself.', { id: 'login.unasked' })
            : msg('Sign-in with the municipality did not work. Try again.', { id: 'login.oidc-failed' });
      return;
    }
    try {
      const user = await fetchMe(back.token);
      this._onSignedIn(new CustomEvent('trygg-signed-in', { detail: { token: back.token, expiresAt: back.expiresAt, user } }));
    } catch (err) {
      this._signInError = errorMessage(err);
    }
  }

  override disconnectedCallback(): void {
    window.removeEventListener(UNAUTHORIZED_EVENT, this._onUnauthorized);
    document.removeEventListener('visibilitychange', this._onVisible);
    window.removeEventListener('hashchange', this._onHashChange);
    clearTimeout(this._renewTimer);
    super.disconnectedCallback();
  }

  /** A call was refused: a lasting sign-in is renewed (once in a while, not in a loop); otherwise back to sign-in. */
  private readonly _onUnauthorized = (): void => {
    if (this._session?.refreshToken && Date.now() - this._lastRenewal > 10_000) void this._renew();
    else this._signOut();
  };

  private _onSignedIn(e: CustomEvent<LoginResponse>): void {
    const session = e.detail;
    saveSession(session);
    void localeForUser(session.user.userId, session.user.locale);
    this._session = session;
    this._linkRefused = false;
    this._scheduleRenewal();
  }

  /** Forgets the session here (a 401 means the server has already ended it). */
  private _signOut(): void {
    clearSession();
    clearTimeout(this._renewTimer);
    this._session = null;
    this._view = 'alarms';
  }

  /**
   * The person signs out: the server ends the session and this phone's lasting sign-in too, so
   * its tokens open nothing any more.
   */
  private _onSignOut(): void {
    const session = this._session;
    this._signOut();
    if (session) void endSession(session);
  }

  override render() {
    const s = this._session;
    return html`
      <a class="skip" href="#main" @click=${this._skip}>${msg('Skip to content', { id: 'app.skip' })}</a>
      <header>
        <h1><img src="/icon.svg" alt="" />Trygg</h1>
        <span class="spacer"></span>
        <trygg-locale-picker .userId=${s?.user.userId ?? null}></trygg-locale-picker>
        ${
          s
            ? html`<div class="user">
                <span data-testid="user-name"
                  ><span class="visually-hidden">${msg('Signed in as', { id: 'app.signed-in-as' })} </span>${s.user.name}</span
                >
                <button type="button" data-action="sign-out" @click=${this._onSignOut}>
                  ${msg('Sign out', { id: 'app.sign-out' })}
                </button>
              </div>`
            : null
        }
      </header>
      ${s && (s.user.roles.includes('admin') || s.user.roles.includes('operator')) ? this._nav(s.user.roles.includes('admin')) : null}
      ${s && phoneApp(s.user.roles) === null ? html`<trygg-chain-banner .token=${s.token}></trygg-chain-banner>` : null}
      <main id="main" tabindex="-1" @trygg-sign-out=${this._onSignOut}>
        ${this._invitationError ? html`<p role="alert" data-testid="invitation-error">${this._invitationError}</p>` : null}
        ${
          this._renewing
            ? html`<p role="status">${msg('Signing in…', { id: 'login.busy' })}</p>`
            : !s
              ? html`<trygg-login
                  .error=${this._signInError}
                  .linkRefused=${this._linkRefused}
                  @trygg-signed-in=${this._onSignedIn}
                ></trygg-login>`
              : phoneApp(s.user.roles) === 'staff'
                ? html`<trygg-staff-app .session=${s}></trygg-staff-app>`
                : phoneApp(s.user.roles) === 'relative'
                  ? html`<trygg-relative-app .session=${s}></trygg-relative-app>`
                  : this._view === 'statistics' && !this._isTechnician(s)
                    ? html`<trygg-statistics .token=${s.token}></trygg-statistics>`
                    : this._view === 'invitations' && s.user.roles.includes('admin')
                      ? html`<trygg-invitations-admin .token=${s.token}></trygg-invitations-admin>`
                      : this._view === 'journal' && s.user.roles.includes('admin')
                        ? html`<trygg-journal-admin .session=${s}></trygg-journal-admin>`
                        : this._isTechnician(s)
                          ? html`<trygg-technician .session=${s}></trygg-technician>`
                          : html`<trygg-alarm-queue .session=${s}></trygg-alarm-queue>`
        }
      </main>
    `;
  }

  private _nav(admin: boolean) {
    const item = (view: View, label: string) =>
      html`<button
        type="button"
        data-view=${view}
        aria-current=${this._view === view ? 'page' : 'false'}
        @click=${() => (this._view = view)}
      >
        ${label}
      </button>`;
    return html`<nav aria-label=${msg('Views', { id: 'app.views' })}>
      ${item('alarms', msg('Alarms', { id: 'app.view.alarms' }))} ${item('statistics', msg('Statistics', { id: 'stats.title' }))}
      ${admin ? item('journal', msg('Patient journal', { id: 'journal.title' })) : null}
      ${admin ? item('invitations', msg('Relatives', { id: 'resident.relatives' })) : null}
      ${admin ? item('technician', msg('Devices', { id: 'app.view.devices' })) : null}
    </nav>`;
  }

  private _isTechnician(s: Session): boolean {
    const roles = s.user.roles;
    if (roles.includes('admin')) return this._view === 'technician';
    return roles.includes('technician') && !roles.includes('operator');
  }

  // The link target lives in this shadow root, where a fragment link cannot reach it.
  private _skip(e: Event): void {
    e.preventDefault();
    this.renderRoot.querySelector<HTMLElement>('main')?.focus();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'trygg-app': TryggApp;
  }
}
