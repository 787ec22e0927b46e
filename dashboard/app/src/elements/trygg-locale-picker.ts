/** The language picker in the header: bokmål, Swedish or English, remembered on this device. */
import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { localized, msg } from '@lit/localize';
import { LOCALES, LOCALE_NAMES, chooseLocale, currentLocale, isAppLocale } from '../i18n.js';
import { shared } from '../styles.js';

@customElement('trygg-locale-picker')
@localized()
export class TryggLocalePicker extends LitElement {
  static override styles = [
    shared,
    css`
      :host {
        color: inherit; /* sits on the header's dark band */
      }
      label {
        display: flex;
        align-items: center;
        gap: 0.5rem;
        color: inherit;
      }
      select {
        color: var(--trygg-ink);
      }
    `,
  ];

  /** Signed-in user, so the choice is remembered for them too; null on the sign-in page. */
  @property({ attribute: false }) userId: string | null = null;

  private _onChange(e: Event): void {
    const value = (e.target as HTMLSelectElement).value;
    if (isAppLocale(value)) void chooseLocale(value, this.userId);
  }

  override render() {
    const active = currentLocale();
    return html`
      <label>
        <span>${msg('Language', { id: 'app.language' })}</span>
        <select name="locale" data-testid="locale-picker" @change=${this._onChange}>
          ${LOCALES.map((l) => html`<option value=${l} lang=${l} ?selected=${l === active}>${LOCALE_NAMES[l]}</option>`)}
        </select>
      </label>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'trygg-locale-picker': TryggLocalePicker;
  }
}
