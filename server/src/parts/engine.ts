/**
 * The alarm engine: applies device events, commands and timers to alarms, escalates, notifies
 * (a log line, then web push, unless a test replaces the notifier) and sends device feedback
 * through whichever gateway runs. Its connections are made and its statements prepared before
 * the first device connects.
 */
import { AlarmEngine, warmPool } from '@trygg/alarm-core';
import { ALARM_CONNECTIONS, DIRECTORY_CONNECTIONS } from './database.js';
import { deviceGateway } from './ingress.js';
import { started, type Part } from './part.js';

export interface Engine {
  engine: AlarmEngine;
}

declare module './part.js' {
  interface Parts {
    engine: Engine;
  }
}

export const engine: Part<'engine'> = {
  name: 'engine',
  start: ({ config, logger, options, get, find }) =>
    started(logger, async (onStop) => {
      const db = get('database');
      const { directory } = get('directory');
      const { webPush } = get('push');
      // The gateway and the engine need each other (feedback ↔ inbox): the engine gets the
      // gateway as its feedback sink (looked up when feedback is sent: the gateway starts after
      // the engine), the gateway gets the inbox that feeds the engine (ingress.ts).
      const engine = new AlarmEngine({
        pool: db.alarmPool,
        directory,
        live: get('live').live,
        notifier: options.notifier ?? {
          // Every notification is a log line (recipient, kind, alarm), then a push to the person's devices.
          notify: (n, o) => {
            logger.info({ notification: n.id, kind: n.kind, recipient: n.recipient.name, alarmId: n.alarmId }, 'notification');
            return webPush.notify(n, o);
          },
        },
        // The gateway opens while a crash's backlog of unapplied events is applied behind it.
        awaitFirstSweep: false,
        supervision: {
          stormShare: config.stormShare,
          stormMinDevices: config.stormMinDevices,
          stormWindowS: config.stormWindowS,
          ...(options.serviceWatch?.staleS ? { ingressStaleS: options.serviceWatch.staleS } : {}),
        },
        ...options.engine,
        // Delivery bookkeeping on the general pool: a push backlog never takes an alarm's connection.
        outboxPool: db.pool,
        delivery: {
          concurrency: config.notifyConcurrency,
          timeoutMs: config.notifyTimeoutS * 1000,
          maxAttempts: config.notifyMaxAttempts,
          ...options.engine?.delivery,
        },
        feedback: { send: (deviceId, fb) => deviceGateway(find)?.send(deviceId, fb) },
        logger,
      });
      await engine.start();
      onStop(() => engine.stop());
      // The alarm path's connections made and its statements prepared before the first device connects.
      await Promise.all([
        engine.warm(ALARM_CONNECTIONS),
        warmPool(db.directoryPool, DIRECTORY_CONNECTIONS, (c) => directory.warm(c)),
      ]);
      return { engine };
    }),
};
