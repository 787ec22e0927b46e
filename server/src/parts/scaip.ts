/**
 * SCAIP over SIP (SS 91100): social-alarm units over UDP, TCP and TLS. Their events reach the
 * same inbox as MQTT devices', so their alarms take the same escalation. On unless TRYGG_SIP=false.
 */
import { readFile } from 'node:fs/promises';
import { ScaipUnits } from '@trygg/devices';
import { ScaipReceiver } from '@trygg/gateway';
import { started, type Part } from './part.js';

export interface Scaip {
  receiver: ScaipReceiver;
}

declare module './part.js' {
  interface Parts {
    scaip: Scaip;
  }
}

function describePorts(p: ScaipReceiver['ports']): string {
  return (['udp', 'tcp', 'tls'] as const)
    .filter((k) => p[k] !== null)
    .map((k) => `${k.toUpperCase()} ${String(p[k])}`)
    .join(', ');
}

export const scaip: Part<'scaip'> = {
  name: 'scaip',
  enabled: (config) => config.sipEnabled,
  start: ({ config, logger, options, get, health }) =>
    started(logger, async (onStop) => {
      const db = get('database');
      const { inbox } = get('ingress');
      const tls =
        config.sipTlsCertFile && config.sipTlsKeyFile && config.sipTlsPort !== null
          ? { cert: await readFile(config.sipTlsCertFile), key: await readFile(config.sipTlsKeyFile) }
          : undefined;
      const receiver = new ScaipReceiver({
        host: config.host,
        udpPort: config.sipUdpPort,
        tcpPort: config.sipTcpPort,
        tlsPort: tls ? config.sipTlsPort : null,
        ...(tls ? { tls } : {}),
        ...(config.sipPublicHost ? { advertisedHost: config.sipPublicHost } : {}),
        realm: config.sipRealm,
        db: db.alarmPool, // its sessions are on an alarm's path
        units: new ScaipUnits(db.ingressPool),
        inbox,
        logger,
        streams: { perAddress: config.sipMaxConnectionsPerAddress, ...options.scaip?.streams },
        maxInFlight: options.scaip?.maxInFlight ?? config.sipMaxInFlight,
        ...(options.scaip?.holdPollGapS === undefined ? {} : { holdPollGapS: options.scaip.holdPollGapS }),
      });
      await receiver.start();
      onStop(() => receiver.stop());
      // Fatal: social-alarm units' alarms come in here.
      health.register({
        name: 'sip',
        fatal: true,
        check: () =>
          receiver.ready
            ? { state: 'ok', detail: `listening (${describePorts(receiver.ports)})` }
            : { state: 'down', detail: 'a SIP listener is not listening' },
      });
      if (!tls) logger.info('SIP over TLS is off: set TRYGG_SIP_TLS_CERT and TRYGG_SIP_TLS_KEY to turn it on');
      return { receiver };
    }),
};
