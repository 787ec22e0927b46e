/**
 * The alarm engine: applies device events, commands and timers to alarms, escalates, notifies
 * people through the channels this node has (web push from the push part, SMS from the `sms`
 * part when it runs; a test may replace or add channels; the response centre's console is
 * built in) and sends device feedback through whichever gateway runs. Its connections are made
 * and its statements prepared before the first device connects.
 */
import { AlarmEngine, warmPool, type Channel, type Channels } from '@trygg/alarm-core';
import type { Logger } from 'pino';
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
      // The SMS channel (part `smsChannel`, over the `sms` part's gateway) is used when it runs; it reports receipts and answers to `engine.deliveries` (DeliveryReports).
      // The voice work adds 'call' the same way.
      const sms = find('smsChannel')?.channel;
      const channels: Channels = {
        push: logged(webPush, logger),
        ...(sms ? { sms: logged(sms, logger) } : {}),
        ...options.channels,
      };
      // The gateway and the engine need each other (feedback ↔ inbox): the engine gets the
      // gateway as its feedback sink (looked up when feedback is sent: the gateway starts after
      // the engine), the gateway gets the inbox that feeds the engine (ingress.ts).
      const engine = new AlarmEngine({
        pool: db.alarmPool,
        directory,
        live: get('live').live,
        channels,
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

/** Every send is a log line (recipient, kind, alarm, channel), then the channel's own work. */
function logged(channel: Channel, logger: Logger): Channel {
  return {
    kind: channel.kind,
    send: (n, o) => {
      logger.info(
        { notification: n.id, kind: n.kind, recipient: n.recipient.name, alarmId: n.alarmId, channel: channel.kind },
        'notification',
      );
      return channel.send(n, o);
    },
  };
}
