/**
 * SMS: the SMPP transport to the municipality's SMS gateway (TRYGG_SMPP_HOST), offered to the
 * parts after it as `sms.transport` (the SMS channel sends through it and listens to its
 * receipts and replies). On the embedded default (`npm start` with the demo) and with no gateway
 * set, a local SMSC (simulators/src/smsc) starts on a free loopback port and the transport binds
 * to it, so the demo sends SMS without a real gateway; its port and the simulated phones' login
 * are written to `<data dir>/smsc.json` (mode 0600) for `npm run sim`.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SmsTransport } from '@trygg/alarm-core';
import { SmppTransport } from '@trygg/gateway';
import { LocalSmsc } from '@trygg/simulators/smsc';
import type { Config } from '../config.js';
import { started, type Part } from './part.js';

export interface Sms {
  transport: SmsTransport;
}

declare module './part.js' {
  interface Parts {
    sms: Sms;
  }
}

/** The embedded default plays the SMS gateway itself when none is configured. */
export const embeddedSmsc = (config: Config): boolean => !config.smppHost && (!config.databaseUrl || config.demo);

/** What `npm run sim` reads to connect the simulated phones to the embedded SMSC. */
export interface SmscFile {
  host: string;
  port: number;
  phones: { systemId: string; password: string };
}

export const sms: Part<'sms'> = {
  name: 'sms',
  enabled: (config) => config.smppHost !== null || embeddedSmsc(config),
  start: ({ config, logger }) =>
    started(logger, async (onStop) => {
      let target = {
        host: config.smppHost ?? '',
        port: config.smppPort,
        systemId: config.smppSystemId,
        password: config.smppPassword,
      };
      if (!config.smppHost) {
        const password = randomBytes(4).toString('hex'); // SMPP 3.4 passwords are at most 8 characters
        const phones = { systemId: 'phones', password: randomBytes(4).toString('hex') };
        let port = 0;
        const smsc = new LocalSmsc({
          systemId: 'trygg',
          password,
          systemType: config.smppSystemType,
          phones,
          receiptDelayMs: 1_500,
          log: (line) => logger.info({ smsc: port }, line),
        });
        port = await smsc.start();
        onStop(() => smsc.stop());
        const file: SmscFile = { host: '127.0.0.1', port, phones };
        await writeFile(path.join(config.dataDir, 'smsc.json'), JSON.stringify(file, null, 2), { mode: 0o600 });
        logger.info({ smsc: port }, `no SMS gateway set (TRYGG_SMPP_HOST): the demo's local SMSC listens on 127.0.0.1:${port}`);
        target = { host: '127.0.0.1', port, systemId: 'trygg', password };
      }
      const transport = new SmppTransport({
        ...target,
        tls: config.smppTls,
        systemType: config.smppSystemType,
        sender: config.smsSender,
        encoding: config.smsEncoding,
        window: config.smppWindow,
        logger,
      });
      await transport.start();
      onStop(() => transport.stop());
      if (!transport.ready)
        logger.warn({ host: target.host, port: target.port }, 'SMS gateway not bound yet; retrying in the background');
      return { transport };
    }),
};
