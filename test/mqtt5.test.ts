/**
 * MQTT 5 devices on the embedded broker (through the v5 bridge): they connect, publish, get
 * feedback and use topic aliases like 3.1.1 devices, and every refusal carries its reason code
 * (0x8C for an authentication method Trygg does not offer).
 */
import { randomUUID } from 'node:crypto';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from './support/service.js';

let svc: TestService;
let db: pg.Pool;
const clients: MqttClient[] = [];
beforeAll(async () => {
  svc = await startTestService();
  db = new pg.Pool({ connectionString: svc.db.url, max: 2 });
});
afterAll(async () => {
  for (const c of clients) c.end(true);
  await db?.end();
  await svc?.stop();
});

const secretOf = (id: string) => svc.demo.devices.find((d) => d.id === id)?.secret ?? '';
async function v5(id: string, extra: Partial<IClientOptions> = {}): Promise<MqttClient> {
  const c = await mqtt.connectAsync(svc.mqttUrl, {
    clientId: id,
    username: id,
    password: secretOf(id),
    protocolVersion: 5,
    reconnectPeriod: 0,
    ...extra,
  });
  clients.push(c);
  return c;
}
const event = (type = 'alarm.button', id = randomUUID()) => JSON.stringify({ id, type, ts: new Date().toISOString() });
const stored = async (deviceId: string) =>
  Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM device_events WHERE device_id = $1', [deviceId])).rows[0]?.n);

describe('MQTT 5 devices', () => {
  it('connect, publish an alarm (PUBACK after commit), and hear the feedback', async () => {
    const dev = await v5('res-kari-button');
    const feedback: { type: string }[] = [];
    dev.on('message', (_t, p) => feedback.push(JSON.parse(p.toString()) as { type: string }));
    await dev.subscribeAsync('trygg/v1/devices/res-kari-button/feedback', { qos: 1 });
    const id = randomUUID();
    await dev.publishAsync('trygg/v1/devices/res-kari-button/events', event('alarm.button', id), { qos: 1 });
    expect((await db.query('SELECT 1 FROM device_events WHERE event_id = $1', [id])).rowCount).toBe(1);
    await expect.poll(() => feedback.map((f) => f.type)).toEqual(['config', 'received']);
  });

  it('use topic aliases', async () => {
    const dev = await v5('res-per-fall');
    const topic = 'trygg/v1/devices/res-per-fall/events';
    await dev.publishAsync(topic, event('alarm.fall'), { qos: 1, properties: { topicAlias: 1 } });
    await dev.publishAsync('', event('alarm.fall'), { qos: 1, properties: { topicAlias: 1 } });
    expect(await stored('res-per-fall')).toBe(2);
  });

  it('hear why they are refused: CONNACK, SUBACK, PUBACK and DISCONNECT reason codes', async () => {
    await expect(v5('res-astrid-button', { password: 'wrong' })).rejects.toMatchObject({ code: 0x86 });
    await expect(v5('ghost-5', { password: 'x' })).rejects.toMatchObject({ code: 0x86 });

    const dev = await v5('res-astrid-button');
    // SUBACK 0x87: mqtt.js names the reason code in its error ("Not authorized", not "Unspecified error").
    await expect(dev.subscribeAsync('trygg/v1/devices/res-kari-button/feedback', { qos: 1 })).rejects.toThrow(
      'Subscribe error: Not authorized',
    );
    // Acknowledged (so the device stops resending) but refused: 0x99 payload format invalid.
    await expect(dev.publishAsync('trygg/v1/devices/res-astrid-button/events', '{"id": ', { qos: 1 })).rejects.toMatchObject({
      code: 0x99,
    });
    expect(await stored('res-astrid-button')).toBe(0);
    // Someone else's prefix: DISCONNECT 0x87 not authorized.
    const disconnect = new Promise<number | undefined>((resolve) => dev.once('disconnect', (p) => resolve(p.reasonCode)));
    dev.publish('trygg/v1/devices/res-kari-smoke/events', event('alarm.smoke'), { qos: 1 });
    expect(await disconnect).toBe(0x87);
  });

  it('are refused with 0x8C when they ask for an authentication method Trygg does not offer', async () => {
    // [MQTT-4.12.0-1] enhanced authentication (here SCRAM) is not supported: CONNACK 0x8C, closed,
    // even with the right secret beside it.
    const id = 'res-kari-smoke';
    await expect(
      v5(id, { properties: { authenticationMethod: 'SCRAM-SHA-256', authenticationData: Buffer.from('n,,n=dev,r=abc') } }),
    ).rejects.toMatchObject({ code: 0x8c });
    expect(svc.logs.some((l) => l.code === 'TRYGG_ERR_AUTH_METHOD_UNSUPPORTED' && l.clientId === id)).toBe(true);
    // Without one, the same device connects.
    await v5(id);
  });

  it('set their status by last will', async () => {
    const id = 'rom-101-door';
    const dev = await v5(id, {
      will: { topic: `trygg/v1/devices/${id}/status`, payload: Buffer.from('offline'), qos: 1, retain: true },
    });
    await dev.publishAsync(`trygg/v1/devices/${id}/status`, 'online', { qos: 1, retain: true });
    await expect.poll(() => svc.trygg.gateway?.status(id)).toBe('online');
    dev.stream.destroy();
    await expect.poll(() => svc.trygg.gateway?.status(id)).toBe('offline');
  });
});
