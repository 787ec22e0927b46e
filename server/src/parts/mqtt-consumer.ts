/**
 * External broker mode (TRYGG_MQTT_URL): devices connect to an existing MQTT cluster, which
 * authenticates them; this node consumes through a shared subscription and acks after commit.
 */
import { ExternalBrokerConsumer } from '@trygg/gateway';
import { started, type Part } from './part.js';

export interface MqttConsumer {
  consumer: ExternalBrokerConsumer;
}

declare module './part.js' {
  interface Parts {
    mqttConsumer: MqttConsumer;
  }
}

export const mqttConsumer: Part<'mqttConsumer'> = {
  name: 'mqttConsumer',
  enabled: (config) => Boolean(config.mqttUrl),
  start: ({ config, logger, get, health }) =>
    started(logger, async (onStop) => {
      const url = config.mqttUrl;
      if (!url) throw new Error('mqttConsumer needs TRYGG_MQTT_URL');
      const { inbox, telemetry, metrics } = get('ingress');
      const consumer = new ExternalBrokerConsumer({
        url,
        clientId: config.mqttClientId,
        shareGroup: config.mqttShareGroup,
        username: config.mqttUsername,
        password: config.mqttPassword,
        inbox,
        telemetry,
        logger,
        metrics,
        maxClockSkewS: config.deviceMaxClockSkewS,
      });
      await consumer.start();
      onStop(() => consumer.stop());
      // Fatal: the devices' alarms reach this node through the external broker.
      const where = new URL(url).host;
      health.register({
        name: 'mqtt',
        fatal: true,
        check: () =>
          consumer.ready
            ? { state: 'ok', detail: `connected to the external broker at ${where}` }
            : { state: 'down', detail: `not connected to the external broker at ${where}` },
      });
      return { consumer };
    }),
};
