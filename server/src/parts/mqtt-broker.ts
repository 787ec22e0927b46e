/**
 * The embedded MQTT broker (aedes) devices connect to, with MQTTS when a certificate is
 * configured: one node, no broker of its own to run. Off when TRYGG_MQTT_URL names an external
 * broker (mqtt-consumer.ts).
 */
import { readFile } from 'node:fs/promises';
import { DeviceAuthenticator } from '@trygg/devices';
import { DEFAULT_LIMITS, MqttGateway } from '@trygg/gateway';
import { mqttPortToUse } from '../ports.js';
import { started, type Part } from './part.js';

export interface MqttBroker {
  gateway: MqttGateway;
}

declare module './part.js' {
  interface Parts {
    mqttBroker: MqttBroker;
  }
}

export const mqttBroker: Part<'mqttBroker'> = {
  name: 'mqttBroker',
  enabled: (config) => !config.mqttUrl,
  start: ({ config, logger, options, get, health }) =>
    started(logger, async (onStop) => {
      const db = get('database');
      const { inbox, telemetry, metrics } = get('ingress');
      const readFiles = async (...files: (string | null)[]) =>
        Promise.all(files.map((f) => (f === null ? Promise.resolve(null) : readFile(f))));
      const [cert, key, ca] = await readFiles(config.mqttsCertFile, config.mqttsKeyFile, config.mqttsCaFile);
      const gateway = new MqttGateway({
        port: await mqttPortToUse(config, logger),
        host: config.host,
        mqtts: config.mqttsPort !== null && cert && key ? { port: config.mqttsPort, cert, key, ca: ca ?? null } : null,
        devices: new DeviceAuthenticator(db.ingressPool),
        inbox,
        telemetry,
        logger,
        metrics,
        pendingPerAddress: config.mqttPendingPerAddress,
        limits: {
          messages: { perSecond: config.deviceMessageRate, burst: config.deviceMessageBurst },
          floodDisconnectAfter: config.deviceMessageBurst,
          maxClockSkewS: config.deviceMaxClockSkewS,
          authFailures: {
            maxPerId: config.mqttAuthFailuresPerMinute,
            maxIdsPerAddress: config.mqttAuthFailedIdsPerMinute,
            windowS: 60,
            blockS: 60,
          },
          credentialChecks: {
            ...DEFAULT_LIMITS.credentialChecks,
            concurrency: config.mqttAuthConcurrency,
            perAddress: config.mqttAuthPerAddress,
            maxWaiting: config.mqttAuthQueue,
            maxWaitingPerAddress: config.mqttAuthQueuePerAddress,
          },
          ...options.gatewayLimits,
        },
      });
      await gateway.start();
      onStop(() => gateway.stop());
      // Fatal: MQTT devices' alarms come in here.
      health.register({
        name: 'mqtt',
        fatal: true,
        check: () =>
          gateway.ready
            ? {
                state: 'ok',
                detail: `embedded broker listening on ${gateway.port}; ${gateway.connectedDevices} devices connected`,
              }
            : { state: 'down', detail: 'the embedded broker is not listening' },
      });
      return { gateway };
    }),
};
