/**
 * A device's new credentials as the technician sees them, once: what to type into the device
 * (MQTT: username and secret; SCAIP: username, realm and password). Shown after registering and
 * after re-issuing.
 */
import { css, html } from 'lit';
import { msg } from '@lit/localize';
import type { DeviceCredentials } from '@trygg/alarm-core';

export function credentialsView(c: DeviceCredentials) {
  return html`<section class="creds" data-testid="credentials" aria-live="polite">
    <h3>${msg('Credentials: shown once', { id: 'register.credentials' })}</h3>
    <p>
      ${msg('Enter these in the device now. Trygg keeps only a hash; a lost secret must be re-issued.', { id: 'register.credentials-hint' })}
    </p>
    <p>${msg('Username', { id: 'register.username' })}: <code data-testid="username">${c.username}</code></p>
    ${
      c.protocol === 'mqtt'
        ? html`<p>${msg('Secret', { id: 'register.secret' })}: <code data-testid="secret">${c.secret}</code></p>`
        : html`<p>${msg('Realm', { id: 'register.realm' })}: <code>${c.realm}</code></p>
            <p>${msg('Password', { id: 'login.password' })}: <code data-testid="secret">${c.password}</code></p>`
    }
  </section>`;
}

export const credentialsStyles = css`
  .creds {
    border: 3px solid var(--trygg-primary);
    border-radius: 10px;
    padding: 1rem;
  }
  code {
    font-size: 1.125rem;
    word-break: break-all;
  }
`;
