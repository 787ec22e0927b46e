/**
 * The SMS channel (dashboard/src/sms) over the SMS gateway the `sms` part offers: when a
 * transport runs, this part offers `smsChannel.channel` for the deliverer to send through, and
 * takes the gateway's receipts and replies. It starts before the engine (the engine's deliverer
 * needs the channel); the engine it gives replies to, and the delivery log it reports receipts
 * and answers to, are looked up when a receipt or a reply comes.
 */
import type { DeliveryReports } from '@trygg/alarm-core';
import { SmsChannel } from '@trygg/dashboard';
import type { Engine } from './engine.js';
import { started, type Part } from './part.js';

export interface SmsChannelOffer {
  /** Null when no SMS gateway is configured (the `sms` part is off). */
  channel: SmsChannel | null;
}

declare module './part.js' {
  interface Parts {
    smsChannel: SmsChannelOffer;
  }
}

/**
 * The delivery log, when the engine part offers one as `reports` (the delivery core's
 * DeliveryLog); until then receipts and answers are logged only (sms-channel.ts).
 */
function reportsOf(engine: Engine | null): DeliveryReports | null {
  const offer: object | null = engine;
  if (!offer || !('reports' in offer)) return null;
  return (offer.reports as DeliveryReports | null | undefined) ?? null;
}

export const smsChannel: Part<'smsChannel'> = {
  name: 'smsChannel',
  start: ({ config, logger, get, find }) =>
    started(logger, async (onStop) => {
      const sms = find('sms');
      if (!sms) return { channel: null };
      const { pool } = get('database');
      const channel = new SmsChannel({
        db: pool,
        transport: sms.transport,
        commands: () => find('engine')?.engine ?? null,
        reports: () => reportsOf(find('engine')),
        logger,
        defaultLocale: config.defaultLanguage,
        region: config.phoneRegion,
        // linkFor: the single-use sign-in link maker (issue 19 item 4), wired with the sign-in work.
      });
      channel.start();
      onStop(() => channel.stop());
      return { channel };
    }),
};
