/**
 * The SCAIP benchmark's peer: the barest SIP responder the same library allows. It answers each
 * MESSAGE 200 OK and at once sends a fixed `<mrs>` with the request's ref in a new MESSAGE to the
 * sink, and answers REGISTER 200 OK. No authentication, no parsing of the body beyond the ref,
 * no database: what is left is the SIP stack and the event loop, the floor for the receiver.
 */
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { sip, type SipMessage } from '@trygg/simulators';

export async function startSipEcho(sink: { host: string; port: number }): Promise<{ port: number; stop(): Promise<void> }> {
  const socket = dgram.createSocket('udp4');
  const send = (m: SipMessage, port: number, host: string) => {
    socket.send(Buffer.from(sip.stringify(m), 'latin1'), port, host);
  };
  socket.on('message', (buf, rinfo) => {
    const rq = sip.parse(buf.toString('latin1'));
    if (!rq?.method) return;
    send(sip.makeResponse(rq, 200, 'OK'), rinfo.port, rinfo.address);
    if (rq.method !== 'MESSAGE') return;
    const ref = /<ref>([0-9A-Za-z]{1,16})<\/ref>/.exec(rq.content ?? '')?.[1] ?? '';
    const port = socket.address().port;
    send(
      {
        method: 'MESSAGE',
        uri: `sip:unit@${sink.host}:${sink.port}`,
        version: '2.0',
        headers: {
          via: [
            {
              version: '2.0',
              protocol: 'UDP',
              host: '127.0.0.1',
              port,
              params: { branch: `z9hG4bK${randomBytes(6).toString('hex')}`, rport: null },
            },
          ],
          from: { uri: `sip:echo@127.0.0.1:${port}`, params: { tag: randomBytes(4).toString('hex') } },
          to: { uri: rq.headers.from.uri, params: {} },
          'call-id': randomBytes(10).toString('hex'),
          cseq: { seq: 1, method: 'MESSAGE' },
          'content-type': 'application/scaip+xml',
        },
        content: `<?xml version="1.0" encoding="UTF-8"?><mrs><ref>${ref}</ref><snu>0</snu></mrs>`,
      },
      sink.port,
      sink.host,
    );
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  return {
    port: socket.address().port,
    stop: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
