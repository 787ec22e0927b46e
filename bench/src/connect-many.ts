/** Benchmark devices as mqtt.js clients (the gateway bench and its crowd process). */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

/** Connects `ids` 200 at a time (no reconnecting unless `extra` says so); with `secret`, each signs in as itself. */
export async function connectMany(
  url: string,
  ids: readonly string[],
  secret: string | null,
  extra: Partial<IClientOptions> = {},
): Promise<MqttClient[]> {
  const clients: MqttClient[] = [];
  for (let i = 0; i < ids.length; i += 200) {
    clients.push(
      ...(await Promise.all(
        ids.slice(i, i + 200).map((id) =>
          mqtt.connectAsync(url, {
            clientId: id,
            ...(secret ? { username: id, password: secret } : {}),
            reconnectPeriod: 0,
            keepalive: 300,
            connectTimeout: 60_000,
            ...extra,
          }),
        ),
      )),
    );
  }
  return clients;
}
