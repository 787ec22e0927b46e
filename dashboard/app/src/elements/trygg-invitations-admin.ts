/**
 * For administrators: every relative with their person, and a button that makes a single-use
 * invitation link (7 days) to send them; opening it on their phone signs them in to the
 * relative app. The link is shown once: only its hash is kept.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { localized, msg } from '@lit/localize';
import type { RelativeSummary } from '@trygg/alarm-core';
import { errorMessage } from '../api.js';
import { fetchRelatives, inviteRelative } from '../data/relatives.js';
import { formatTime } from '../labels.js';
import { shared } from '../styles.js';

@customElement('trygg-invitations-admin')
@localized()
export class TryggInvitationsAdmin extends LitElement {
  static override styles = [
    shared,
    css`
      :host {
        display: block;
      }
      table {
        border-collapse: collapse;
        width: 100%;
        background: var(--trygg-surface);
      }
      th,
      td {
        text-align: left;
        padding: 0.5rem;
        border-bottom: 1px solid var(--trygg-line);
        vertical-align: top;
      }
      .link {
        word-break: break-all;
        font-family: ui-monospace, monospace;
      }
    `,
  ];

  @property({ attribute: false }) token = '';
  @state() private _relatives: RelativeSummary[] = [];
  @state() private _links = new Map<string, { url: string; expiresAt: string }>();
  @state() private _error = '';

  override connectedCallback(): void {
    super.connectedCallback();
    void this._load();
  }

  private async _load(): Promise<void> {
    try {
      this._relatives = (await fetchRelatives(this.token)).relatives;
    } catch (err) {
      this._error = errorMessage(err);
    }
  }

  private async _invite(r: RelativeSummary): Promise<void> {
    try {
      const res = await inviteRelative(this.token, r.id);
      this._links = new Map(this._links).set(r.id, { url: new URL(res.path, location.origin).href, expiresAt: res.expiresAt });
    } catch (err) {
      this._error = errorMessage(err);
    }
  }

  override render() {
    return html`<h2>${msg('Relatives', { id: 'resident.relatives' })}</h2>
      ${this._error ? html`<p role="alert">${this._error}</p>` : null}
      <table>
        <thead>
          <tr>
            <th scope="col">${msg('Relative', { id: 'invite.relative' })}</th>
            <th scope="col">${msg('For', { id: 'invite.for' })}</th>
            <th scope="col">${msg('Invitation', { id: 'invite.invitation' })}</th>
          </tr>
        </thead>
        <tbody>
          ${this._relatives.map((r) => {
            const link = this._links.get(r.id);
            return html`<tr data-relative=${r.id}>
              <td>
                ${r.name}${r.relation ? ` (${r.relation})` : ''}${r.signedUp ? html`<br />${msg('Has signed in', { id: 'invite.signed-up' })}` : null}
              </td>
              <td>${r.residentName}</td>
              <td>
                ${
                  link
                    ? html`<p class="link" data-testid="invitation-link">${link.url}</p>
                        <p>
                          ${msg('Send this link to the relative. It works once, until', { id: 'invite.valid-until' })}
                          ${formatTime(link.expiresAt)}.
                        </p>`
                    : html`<button type="button" data-action="invite" @click=${() => this._invite(r)}>
                        ${msg('Make invitation link', { id: 'invite.make' })}
                      </button>`
                }
              </td>
            </tr>`;
          })}
        </tbody>
      </table>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'trygg-invitations-admin': TryggInvitationsAdmin;
  }
}
