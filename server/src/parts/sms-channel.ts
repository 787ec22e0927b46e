/**
 * The SMS channel (dashboard/src/sms) over the SMS gateway the `sms` part offers: when a
 * transport runs, this part offers `smsChannel.channel` for the deliverer to send through, and
 * takes the gateway's receipts and replies. It starts before the engine (the engine's deliverer
 * needs the channel); the engine it gives replies to, and the delivery log it reports receipts
 * and answers to, are looked up when a receipt or a reply comes.
 */
import { SmsChannel } from '@trygg/dashboard';
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
        reports: () => find('engine')?.engine.deliveries ?? null,
        logger,
        defaultLocale: config.defaultLanguage,
        region: config.phoneRegion,
        // An alert's SMS carries a single-use, short-lived link that signs its person in (when
        // they have an account): the relative's view without a password.
        linkFor: async (r, n) =>
          r.userId && n.kind === 'alert' ? get('identity').signInLink(r.userId, { purpose: 'alert', alarmId: n.alarmId }) : null,
      });
      channel.start();
      onStop(() => channel.stop());
      return { channel };
    }),
};
