/**
 * The service watch (docs/supervision.md): records this node's start and stop and marks its
 * device ingress (embedded broker or external-broker connection, SIP listener) up or down every
 * few seconds, so supervision gives devices a grace period after any outage of Trygg itself. It
 * starts after the gateways (their first mark finds them listening) and stops before them.
 */
import { ServiceWatch, type IngressProbe } from '@trygg/alarm-core';
import { started, type Part } from './part.js';

export interface ServiceWatchPart {
  watch: ServiceWatch | null;
}

declare module './part.js' {
  interface Parts {
    serviceWatch: ServiceWatchPart;
  }
}

export const serviceWatch: Part<'serviceWatch'> = {
  name: 'serviceWatch',
  start: ({ config, logger, options, get, find }) =>
    started(logger, async (onStop) => {
      const broker = find('mqttBroker')?.gateway ?? null;
      const consumer = find('mqttConsumer')?.consumer ?? null;
      const sip = find('scaip')?.receiver ?? null;
      const probes: IngressProbe[] = [];
      if (broker) probes.push({ protocol: 'mqtt', ready: () => broker.ready });
      if (consumer) probes.push({ protocol: 'mqtt', ready: () => consumer.ready });
      if (sip) probes.push({ protocol: 'scaip', ready: () => sip.ready });
      // A node without device ingress has nothing to mark.
      if (probes.length === 0) return { watch: null };
      const watch = new ServiceWatch({
        pool: get('database').pool,
        node: config.nodeName,
        probes,
        logger,
        everyMs: options.serviceWatch?.everyMs,
        staleS: options.serviceWatch?.staleS,
      });
      await watch.start();
      onStop(() => watch.stop());
      return { watch };
    }),
};
