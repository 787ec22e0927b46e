/**
 * Seams for integrations whose parts other work adds. A part that reports itself
 * (`ctx.health.register({ name: 'sms', … })`) wins; until then:
 *
 * - `sms`: a running part named `sms` whose offer has `transport.ready` (a boolean, or a function
 *   answering one) is reported from it, read defensively: an offer of another shape is left
 *   alone (`not-configured`).
 * - `synthetic-chain`: the self-test part registers its own source (name `synthetic-chain`,
 *   not fatal: a broken chain is a system alarm to people, not a reason to leave the balancer).
 */
import type { HealthRegistry } from './registry.js';

function readyOf(offer: unknown): (() => boolean) | null {
  if (typeof offer !== 'object' || offer === null) return null;
  const transport = (offer as { transport?: unknown }).transport;
  if (typeof transport !== 'object' || transport === null) return null;
  const ready = (transport as { ready?: unknown }).ready;
  if (typeof ready === 'boolean') return () => (transport as { ready: boolean }).ready;
  if (typeof ready === 'function') return () => (ready as () => unknown).call(transport) === true;
  return null;
}

/** Registers what can be read from running parts that do not report themselves; `lookup` finds a part by name. */
export function reportOptionalParts(registry: HealthRegistry, lookup: (name: string) => unknown): void {
  if (!registry.has('sms')) {
    const ready = readyOf(lookup('sms'));
    if (ready) {
      registry.register({
        name: 'sms',
        check: () =>
          ready() ? { state: 'ok', detail: 'SMS gateway bound' } : { state: 'down', detail: 'SMS gateway not bound' },
      });
    }
  }
}
