/**
 * The service's own state above the alarm queue: every integration that does not work, in words
 * a centre understands, and (for the leader) where too few responders are on duty. Both arrive
 * live (`integrations:health`, `duty:state`) and go away by themselves when the trouble ends.
 * Text, not colour only: each line starts with a warning sign and says what is wrong.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { localized, msg } from '@lit/localize';
import type { DutyState, IntegrationHealth } from '@trygg/alarm-core';
import { shared } from '../styles.js';
import { dutyText, integrationText, troubled } from '../system-text.js';

@customElement('trygg-system-status')
@localized()
export class TryggSystemStatus extends LitElement {
  static override styles = [
    shared,
    css`
      :host {
        display: block;
      }
      section {
        margin: 0;
        padding: 0.75rem 1rem;
        background: #fff4d6;
        color: #111;
        border: 3px solid #8a5a00;
        border-radius: 8px;
      }
      section.fatal {
        background: #fde8eb;
        border-color: var(--trygg-danger);
      }
      h2 {
        margin: 0 0 0.25rem;
        font-size: 1.125rem;
      }
      ul {
        margin: 0;
        padding: 0;
        list-style: none;
        display: grid;
        gap: 0.25rem;
        font-weight: 600;
        font-size: 1.0625rem;
      }
      section + section {
        margin-top: 0.5rem;
      }
    `,
  ];

  @property({ attribute: false }) integrations: readonly IntegrationHealth[] = [];
  @property({ attribute: false }) duty: DutyState | null = null;
  /** Shared clock from the queue. */
  @property({ attribute: false }) now = Date.now();

  override render() {
    const bad = troubled(this.integrations);
    const gaps = this.duty?.gaps ?? [];
    const fatal = bad.some((i) => i.fatal && i.state === 'down');
    return html`
      ${
        bad.length > 0
          ? html`<section class=${fatal ? 'fatal' : ''} role="status" data-testid="integration-banner">
              <h2>${msg('Not working as it should', { id: 'sys.title' })}</h2>
              <ul>
                ${bad.map(
                  (i) =>
                    html`<li data-integration=${i.name} data-state=${i.state}>
                      <span aria-hidden="true">⚠ </span>${integrationText(i, this.now)}
                    </li>`,
                )}
              </ul>
            </section>`
          : null
      }
      ${
        gaps.length > 0
          ? html`<section role="status" data-testid="duty-banner">
              <h2>${msg('Too few on duty', { id: 'sys.duty-title' })}</h2>
              <ul>
                ${gaps.map(
                  (g) =>
                    html`<li data-gap=${g.kind} data-site=${g.siteId ?? ''}>
                      <span aria-hidden="true">⚠ </span>${dutyText(g, this.now)}
                    </li>`,
                )}
              </ul>
            </section>`
          : null
      }
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'trygg-system-status': TryggSystemStatus;
  }
}
