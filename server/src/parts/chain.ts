/**
 * The self-test part (issue 20): registers the self-test's devices, one per ingress this node
 * runs (embedded MQTT and MQTTS, or the external broker; SIP over UDP, TCP and TLS when on), and
 * sends a test alarm through each at start and every TRYGG_SELFTEST_INTERVAL_S. Starts after the
 * gateways and the live channel it proves; off with an interval of 0. Others read its state:
 * `find('chain')?.selfTest.status()` (per ingress: last success, each hop's latency, ok / late / failing).
 */
import os from 'node:os';
import { registerSelfTestDevice } from '@trygg/devices';
import { ChainSelfTest } from '../chain/self-test.js';
import { loopback, mqttProbe, scaipProbe, type ProbeTarget } from '../chain/probes.js';
import { started, type Part } from './part.js';

export interface Chain {
  selfTest: ChainSelfTest;
}

declare module './part.js' {
  interface Parts {
    chain: Chain;
  }
}

/** This node's self-test devices are its own: two nodes never re-key each other's. */
const nodeTag = () =>
  os
    .hostname()
    .replace(/[^A-Za-z0-9-]/g, '')
    .slice(0, 24)
    .toLowerCase() || 'node';

export const chain: Part<'chain'> = {
  name: 'chain',
  enabled: (config) => config.selfTestIntervalS > 0,
  start: ({ config, logger, get, find, health }) =>
    started(logger, async (onStop) => {
      const db = get('database');
      const { live } = get('live');
      const { webPush } = get('push');
      const { metrics } = get('ingress');
      const host = loopback(config.host);
      const id = (ingress: string) => `trygg-selftest-${nodeTag()}-${ingress}`;
      const targets: ProbeTarget[] = [];
      if (config.mqttUrl) {
        const device = await registerSelfTestDevice(db.pool, id('external-broker'), 'mqtt');
        targets.push(
          mqttProbe('external-broker', device, () => config.mqttUrl, {
            username: config.mqttUsername,
            password: config.mqttPassword,
          }),
        );
      } else {
        const gateway = () => find('mqttBroker')?.gateway ?? null;
        targets.push(
          mqttProbe(
            'mqtt',
            await registerSelfTestDevice(db.pool, id('mqtt'), 'mqtt'),
            () => {
              const g = gateway();
              return g && g.port > 0 ? `mqtt://${host}:${g.port}` : null;
            },
            null,
          ),
        );
        if (gateway()?.tlsPort) {
          targets.push(
            mqttProbe(
              'mqtts',
              await registerSelfTestDevice(db.pool, id('mqtts'), 'mqtt'),
              () => {
                const g = gateway();
                return g && g.tlsPort > 0 ? `mqtts://${host}:${g.tlsPort}` : null;
              },
              null,
            ),
          );
        }
      }
      const receiver = () => find('scaip')?.receiver ?? null;
      const sip = receiver();
      if (sip) {
        for (const [transport, key] of [
          ['UDP', 'udp'],
          ['TCP', 'tcp'],
          ['TLS', 'tls'],
        ] as const) {
          if (sip.ports[key] === null) continue;
          const device = await registerSelfTestDevice(db.pool, id(`sip-${key}`), 'scaip', config.sipRealm);
          targets.push(
            scaipProbe(`sip-${key}`, device, transport, () => ({ host, port: receiver()?.ports[key] ?? null }), logger),
          );
        }
      }
      const selfTest = new ChainSelfTest({
        pool: db.pool,
        node: config.nodeName,
        logger,
        targets,
        intervalMs: config.selfTestIntervalS * 1000,
        lateMs: config.selfTestLateS * 1000,
        onProbe: (l) => live.onProbe(l),
        registry: metrics.registry,
        announce: (status, alarm) => {
          live.publishChain(status);
          // The banner reaches only who has a console open: the administrators' phones hear it too.
          if (alarm) webPush.notifyChain(alarm).catch((err: unknown) => logger.warn({ err }, 'chain push failed'));
        },
      });
      selfTest.start();
      onStop(() => selfTest.stop());
      // In /readyz (not fatal: a broken chain is a system alarm to people, not a reason to leave the balancer).
      health.register({
        name: 'synthetic-chain',
        check: () => {
          const s = selfTest.status();
          const last = s.ingresses
            .map((i) => i.lastSuccessAt)
            .filter((t): t is string => t !== null)
            .sort()
            .at(-1);
          const broken = s.ingresses.filter((i) => i.state === 'late' || i.state === 'failing').map((i) => i.ingress);
          return {
            state: s.state === 'failing' ? 'down' : s.state === 'late' ? 'degraded' : 'ok',
            detail: broken.length ? `test alarms late or missing: ${broken.join(', ')}` : 'test alarms get through',
            since: new Date(s.since),
            lastSuccessAt: last ? new Date(last) : null,
          };
        },
      });
      onStop(async () => health.unregister('synthetic-chain'));
      logger.info(
        { ingresses: targets.map((t) => t.ingress), everyS: config.selfTestIntervalS },
        'self-test: a test alarm through each ingress at start and every interval',
      );
      return { selfTest };
    }),
};
