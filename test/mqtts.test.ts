/**
 * MQTTS beside plain MQTT: the device verifies the server against the CA; a client certificate
 * is optional, and one that is presented must be trusted and name the device.
 */
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import mqtt, { type IClientOptions } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestCerts, type TestCerts } from './support/certs.js';
import { startTestService, type TestService } from './support/service.js';

let svc: TestService;
let certs: TestCerts;
let url: string;
let ca: Buffer;
beforeAll(async () => {
  certs = await makeTestCerts();
  svc = await startTestService({
    config: { mqttsPort: 0, mqttsCertFile: certs.serverCert, mqttsKeyFile: certs.serverKey, mqttsCaFile: certs.ca },
  });
  url = `mqtts://127.0.0.1:${svc.trygg.ports.mqtts}`;
  ca = await certs.read(certs.ca);
});
afterAll(async () => {
  await svc?.stop();
  if (certs) await rm(certs.dir, { recursive: true, force: true });
});

const secretOf = (id: string) => svc.demo.devices.find((d) => d.id === id)?.secret ?? '';
const connect = (id: string, extra: Partial<IClientOptions> = {}) =>
  mqtt.connectAsync(url, { clientId: id, username: id, password: secretOf(id), ca, reconnectPeriod: 0, ...extra });

describe('MQTTS', () => {
  it('takes events over TLS with only the secret, and with a client certificate naming the device', async () => {
    const plain = await connect('res-kari-button');
    await plain.publishAsync(
      'trygg/v1/devices/res-kari-button/events',
      JSON.stringify({ id: randomUUID(), type: 'test', ts: new Date().toISOString() }),
      {
        qos: 1,
      },
    );
    await plain.endAsync();
    const withCert = await connect('res-per-button', await certs.client('res-per-button'));
    await withCert.publishAsync(
      'trygg/v1/devices/res-per-button/events',
      JSON.stringify({ id: randomUUID(), type: 'test', ts: new Date().toISOString() }),
      {
        qos: 1,
      },
    );
    await withCert.endAsync();
  });

  it('refuses a client certificate naming another device, and one the CA did not sign', async () => {
    await expect(connect('res-astrid-button', await certs.client('res-kari-smoke'))).rejects.toThrow(/Bad username or password/i);
    await expect(connect('res-astrid-button', await certs.client('res-astrid-button', { selfSigned: true }))).rejects.toThrow(
      /Bad username or password/i,
    );
    expect(svc.logs.filter((l) => l.clientId === 'res-astrid-button' && l.code === 'TRYGG_ERR_DEVICE_CREDENTIALS').length).toBe(
      2,
    );
  });

  it('is verified by the device: a client without the CA refuses the server', async () => {
    await expect(mqtt.connectAsync(url, { clientId: 'x', username: 'x', password: 'x', reconnectPeriod: 0 })).rejects.toThrow(
      /self[- ]signed|unable to verify|certificate/i,
    );
  });
});
