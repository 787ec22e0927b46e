/** The front door's ports: a busy default MQTT port gives way, a busy chosen port is explained. */
import { createSocket } from 'node:dgram';
import { createServer, type AddressInfo, type Server } from 'node:net';
import pino from 'pino';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { TryggError } from '@trygg/alarm-core';
import { loadConfig } from './config.js';
import { explainStartError, firstFreePort, mqttPortToUse } from './ports.js';

const held: Server[] = [];
afterAll(async () => {
  for (const s of held) await new Promise((r) => s.close(r));
});

/** A TCP port another program holds on 127.0.0.1 for the whole file. */
async function holdPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  held.push(s);
  return (s.address() as AddressInfo).port;
}

/** The error a listener gets on a port that is held. */
async function listenError(port: number): Promise<unknown> {
  const s = createServer();
  return new Promise((resolve) => {
    s.once('error', resolve);
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(null)));
  });
}

function capture(): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      cb();
    },
  });
  return { logger: pino({ level: 'info' }, sink), lines };
}

describe('the embedded default MQTT port', () => {
  it('may move only on the embedded default with no TRYGG_MQTT_PORT', () => {
    expect(loadConfig({}).mqttPortMayMove).toBe(true);
    expect(loadConfig({ TRYGG_MQTT_PORT: '1883' }).mqttPortMayMove).toBe(false);
    expect(loadConfig({ DATABASE_URL: 'postgres://u@h/db' }).mqttPortMayMove).toBe(false);
    expect(loadConfig({ TRYGG_MQTT_URL: 'mqtt://broker:1883' }).mqttPortMayMove).toBe(false);
    expect(loadConfig({}, [], { mqttPort: 0 }).mqttPortMayMove).toBe(false);
  });

  it('gives way to the next free port when its own is held, and says where it listens', async () => {
    const busy = await holdPort();
    expect(await firstFreePort(busy, '127.0.0.1')).toBeGreaterThan(busy);
    const { logger, lines } = capture();
    const config = loadConfig({}, [], { host: '127.0.0.1', mqttPort: busy, mqttPortMayMove: true });
    const port = await mqttPortToUse(config, logger);
    expect(port).toBeGreaterThan(busy);
    expect(await listenError(port)).toBeNull();
    expect(lines).toHaveLength(1);
    expect(lines[0]?.msg).toContain(`MQTT port ${busy} is in use`);
    expect(lines[0]?.msg).toContain(`127.0.0.1:${port}`);
    expect(lines[0]?.msg).toContain(`TRYGG_MQTT_PORT=${port}`);
  });

  it('stays where it was chosen, busy or not', async () => {
    const busy = await holdPort();
    const { logger, lines } = capture();
    const config = loadConfig({ TRYGG_MQTT_PORT: String(busy), HOST: '127.0.0.1' });
    expect(await mqttPortToUse(config, logger)).toBe(busy);
    expect(lines).toEqual([]);
  });
});

describe('a start on a port another program holds', () => {
  it('names the listener, the port and the setting (MQTT, HTTP)', async () => {
    const busy = await holdPort();
    const err = await listenError(busy);
    const mqtt = explainStartError(err, loadConfig({ TRYGG_MQTT_PORT: String(busy), HOST: '127.0.0.1' }));
    expect(mqtt).toBeInstanceOf(TryggError);
    expect((mqtt as TryggError).code).toBe('TRYGG_ERR_PORT_UNAVAILABLE');
    expect((mqtt as TryggError).message).toBe(
      `MQTT port ${busy} is in use by another program (127.0.0.1:${busy}): set TRYGG_MQTT_PORT to a free port, or stop the program that holds it`,
    );
    const http = explainStartError(err, loadConfig({ PORT: String(busy) }));
    expect((http as TryggError).message).toMatch(new RegExp(`^HTTP port ${busy} .*: set PORT to a free port`));
  });

  it('tells SIP over UDP from SIP over TCP on the same port', async () => {
    const udp = createSocket('udp4');
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
    const port = udp.address().port;
    const second = createSocket('udp4');
    const err = await new Promise((resolve) => {
      second.once('error', resolve);
      second.bind(port, '127.0.0.1', () => resolve(null));
    });
    udp.close();
    second.close();
    const config = loadConfig({ TRYGG_SIP_UDP_PORT: String(port), TRYGG_SIP_TCP_PORT: String(port) });
    expect((explainStartError(err, config) as TryggError).message).toMatch(
      new RegExp(`^SIP over UDP port ${port} is in use .*/udp\\): set TRYGG_SIP_UDP_PORT to a free port`),
    );
  });

  it('leaves other failures as they were', () => {
    const other = new Error('database refused');
    expect(explainStartError(other, loadConfig({}))).toBe(other);
  });
});
