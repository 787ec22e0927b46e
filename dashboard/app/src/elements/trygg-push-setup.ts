/**
 * "Alerts on this phone": shows whether push alerts are on, a button to turn them on, and what
 * to do when the browser blocks them or the app is not installed.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { localized, msg } from '@lit/localize';
import { enablePush, isInstalled, pushState, type PushState } from '../push-setup.js';
import { shared } from '../styles.js';

@customElement('trygg-push-setup')
@localized()
export class TryggPushSetup extends LitElement {
  static override styles = [
    shared,
    css`
      :host {
        display: block;
      }
      section {
        border: 2px solid var(--trygg-line);
        border-radius: 8px;
        padding: 0.75rem 1rem;
        background: var(--trygg-surface);
      }
      section.ok {
        border-color: #1d6b33;
      }
      section.warn {
        border-color: var(--trygg-danger);
      }
      h2 {
        font-size: 1.125rem;
        margin: 0 0 0.25rem;
      }
      p {
        margin: 0.25rem 0;
      }
    `,
  ];

  @property({ attribute: false }) token = '';
  @state() private _state: PushState | null = null;
  @state() private _busy = false;

  override connectedCallback(): void {
    super.connectedCallback();
    void pushState().then((s) => (this._state = s));
  }

  private async _enable(): Promise<void> {
    this._busy = true;
    this._state = await enablePush(this.token);
    this._busy = false;
  }

  override render() {
    const s = this._state;
    if (s === null) return null;
    const installHint = isInstalled()
      ? null
      : html`<p data-testid="install-hint">
          ${msg('Tip: add Trygg to the home screen (browser menu → Add to Home Screen) so alerts reach you on the lock screen.', {
            id: 'push.install-hint',
          })}
        </p>`;
    switch (s) {
      case 'on':
        return html`<section class="ok" data-push-state="on">
          <h2>${msg('Alerts are on for this phone', { id: 'push.on' })}</h2>
        </section>`;
      case 'prompt':
        return html`<section data-push-state="prompt">
          <h2>${msg('Alerts on this phone', { id: 'push.title' })}</h2>
          <p>${msg('Turn on alerts to be told about alarms even when the phone is locked.', { id: 'push.explain' })}</p>
          <button type="button" class="primary" ?disabled=${this._busy} @click=${this._enable}>
            ${msg('Turn on alerts', { id: 'push.enable' })}
          </button>
          ${installHint}
        </section>`;
      case 'denied':
        return html`<section class="warn" role="alert" data-push-state="denied">
          <h2>${msg('Alerts are blocked', { id: 'push.denied' })}</h2>
          <p>
            ${msg('Open the browser’s site settings for Trygg (the lock icon by the address), allow Notifications, and reload.', {
              id: 'push.denied-fix',
            })}
          </p>
        </section>`;
      case 'unsupported':
        return html`<section class="warn" data-push-state="unsupported">
          <h2>${msg('This browser cannot give alerts', { id: 'push.unsupported' })}</h2>
          ${installHint ?? html`<p>${msg('Use an up-to-date Chrome, Edge, Firefox or Safari.', { id: 'push.unsupported-fix' })}</p>`}
        </section>`;
      case 'failed':
        return html`<section class="warn" data-push-state="failed">
          <h2>${msg('Could not turn on alerts', { id: 'push.failed' })}</h2>
          <p>${msg('The phone could not reach its push service. Check the network and try again.', { id: 'push.failed-fix' })}</p>
          <button type="button" ?disabled=${this._busy} @click=${this._enable}>${msg('Try again', { id: 'push.retry' })}</button>
        </section>`;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'trygg-push-setup': TryggPushSetup;
  }
}
