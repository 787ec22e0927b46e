/**
 * An alarm's escalation in the details panel: the chain's steps in order with the running one
 * marked, then everyone alerted with their answer and its time — so the operator sees at a
 * glance who was asked, who said no, who is going, and what happens next.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { localized, msg, str } from '@lit/localize';
import type { Alarm, Alert, NamedDeliveryFact } from '@trygg/alarm-core';
import {
  alertStateLabel,
  deliveryLine,
  escalationSummary,
  recipientKindLabel,
  recipientName,
  stepText,
  unreachableReasonLabel,
} from '../escalation-text.js';
import { formatClock, formatTime } from '../labels.js';
import { shared } from '../styles.js';

/** A sign beside each answer, so it never rests on colour alone. */
const STATE_SIGNS: Readonly<Record<Alert['state'], string>> = {
  pending: '…',
  accepted: '✓',
  declined: '✗',
  withdrawn: '–',
  informed: 'i',
  expired: '–',
  unreachable: '⚠',
};

/** Warning sign plus stronger text: urgency is never shown by colour alone. */
function urgent(text: string) {
  return html`<strong class="urgent"><span aria-hidden="true">⚠ </span>${text}</strong>`;
}

@customElement('trygg-escalation-view')
@localized()
export class TryggEscalationView extends LitElement {
  static override styles = [
    shared,
    css`
      :host {
        display: block;
      }
      h3 {
        margin: 1rem 0 0.5rem;
        font-size: 1.125rem;
      }
      h4 {
        margin: 0.75rem 0 0.25rem;
        font-size: 1rem;
      }
      ol,
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: 0.375rem;
      }
      .steps li {
        padding: 0.375rem 0.625rem;
        border: 1px solid var(--trygg-line);
        border-left-width: 6px;
        border-radius: 6px;
      }
      .steps li[aria-current='step'] {
        border-color: var(--trygg-primary);
        background: #eef3fc;
        font-weight: 600;
      }
      .step-no {
        font-weight: 700;
      }
      .marker {
        display: inline-block;
        margin-left: 0.5rem;
        padding: 0 0.5rem;
        border-radius: 999px;
        background: var(--trygg-primary);
        color: var(--trygg-primary-ink);
        font-size: 0.875rem;
        font-weight: 700;
      }
      .summary {
        margin: 0.5rem 0 0;
        font-weight: 600;
      }
      .urgent {
        color: var(--trygg-danger);
      }
      .alerts li {
        display: flex;
        flex-wrap: wrap;
        align-items: baseline;
        gap: 0.125rem 0.625rem;
        padding: 0.375rem 0;
        border-bottom: 1px solid var(--trygg-line);
      }
      .name {
        font-weight: 700;
      }
      .kind {
        color: var(--trygg-muted);
      }
      .answer {
        display: inline-flex;
        gap: 0.375rem;
        align-items: baseline;
        padding: 0 0.5rem;
        border: 2px solid currentColor;
        border-radius: 999px;
        font-weight: 700;
        font-size: 0.9375rem;
      }
      /* Dark text on light fills: every pair well above 7:1. */
      .answer.pending {
        background: #fff4cc;
        color: #111;
      }
      .answer.accepted {
        background: #e3f4e6;
        color: #0b5d1e;
      }
      .answer.declined {
        background: #fde8eb;
        color: var(--trygg-danger);
      }
      .answer.informed {
        background: #eef3fc;
        color: var(--trygg-primary);
      }
      .answer.withdrawn,
      .answer.expired {
        background: #eef1f5;
        color: var(--trygg-muted);
      }
      time {
        font-variant-numeric: tabular-nums;
      }
      .facts {
        flex-basis: 100%;
        color: var(--trygg-muted);
      }
    `,
  ];

  @property({ attribute: false }) alarm!: Alarm;
  /** What became of each notification on each channel (from the alarm route). */
  @property({ attribute: false }) deliveries: NamedDeliveryFact[] = [];

  /** "SMS delivered 13:35:02 · push failed 13:34:30", the latest fact per channel; "not answered" while waiting. */
  private _facts(alert: Alert) {
    const latest = new Map<string, NamedDeliveryFact>();
    for (const f of this.deliveries)
      if (f.recipientId === alert.recipient.id && f.channel !== 'console') latest.set(f.channel, f);
    const parts = [...latest.values()].map((f) => deliveryLine(f.channel, f.state, formatClock(f.at)));
    if (alert.state === 'unreachable') parts.push(unreachableReasonLabel(alert.reason ?? 'no-channel'));
    else if (alert.state === 'pending' && parts.length > 0) parts.push(msg('not answered', { id: 'delivery.not-answered' }));
    return parts.length > 0 ? html`<span class="facts" data-testid="delivery">${parts.join(', ')}</span>` : null;
  }

  private _steps() {
    const a = this.alarm;
    const esc = a.escalation;
    const running = a.state === 'open';
    return html`<ol class="steps" aria-label=${msg('Steps', { id: 'esc.steps' })}>
      ${esc.chain.steps.map((s, i) => {
        const current = i === esc.step;
        const n = i + 1;
        return html`<li aria-current=${current ? 'step' : 'false'} data-step=${i}>
          <span class="step-no">${msg(str`Step ${n}`, { id: 'esc.step-n' })}:</span> ${stepText(esc, s)}
          ${
            current
              ? html`<span class="marker"
                  >${running ? msg('Now', { id: 'esc.now' }) : msg('Stopped here', { id: 'esc.stopped-here' })}</span
                >`
              : null
          }
        </li>`;
      })}
    </ol>`;
  }

  private _alert(alert: Alert) {
    const r = alert.recipient;
    // Waiting and informed: when they were told. Otherwise: when they answered.
    const at = alert.state === 'pending' || alert.state === 'informed' ? alert.at : alert.changedAt;
    const time = formatClock(at);
    return html`<li data-alert-state=${alert.state} data-recipient=${r.name}>
      <span class="name">${recipientName(r)}</span>
      ${r.kind === 'response-centre' ? null : html`<span class="kind">${recipientKindLabel(r.kind)}</span>`}
      <span class="answer ${alert.state}"
        ><span aria-hidden="true">${STATE_SIGNS[alert.state]}</span>${alertStateLabel(alert.state)}</span
      >
      <time datetime=${at} title=${formatTime(at)}>${msg(str`at ${time}`, { id: 'time.at' })}</time>
      ${this._facts(alert)}
    </li>`;
  }

  override render() {
    const a = this.alarm;
    if (!a) return null;
    const esc = a.escalation;
    const summary = escalationSummary(a);
    return html`
      <section data-testid="escalation" aria-labelledby="escalation-title">
        <h3 id="escalation-title">${msg('Escalation', { id: 'esc.title' })}</h3>
        ${this._steps()}
        ${
          summary.length > 0
            ? html`<p class="summary">
                ${summary.map((p, i) => html`${i > 0 ? ' · ' : null}${p.urgent ? urgent(p.text) : p.text}`)}
              </p>`
            : null
        }
        <h4 id="alerts-title">${msg('Who was alerted', { id: 'esc.alerts' })}</h4>
        ${
          esc.alerts.length > 0
            ? html`<ul class="alerts" aria-labelledby="alerts-title">
                ${esc.alerts.map((alert) => this._alert(alert))}
              </ul>`
            : html`<p>${msg('Nobody alerted yet', { id: 'esc.no-alerts' })}</p>`
        }
      </section>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'trygg-escalation-view': TryggEscalationView;
  }
}
