/**
 * A faithful local push service (RFC 8030) with the user agents' side built in, for tests and the
 * bench: a real browser's push subscription can only reach its vendor's push service (FCM,
 * Mozilla autopush), which a machine without internet cannot reach, so tests subscribe with keys
 * they own. `subscribe()` makes what a browser makes (a P-256 key pair and a 16-octet auth
 * secret, node:crypto) and an endpoint here. A POST to the endpoint is refused unless its VAPID
 * header verifies (RFC 8292) and its body decrypts with the subscription's private key
 * (RFC 8291 / 8188); accepted messages are kept, decrypted, for the test to read and to hand to
 * a browser's service worker. Like a real push service under load or out of reach, it can answer
 * slowly (`latencyMs`) or take a request and never answer (`hang`).
 *
 * It listens on loopback over plain http, which Trygg refuses as a push endpoint: a test names
 * its `origin` in `TRYGG_PUSH_ALLOW_ORIGINS`.
 */
import { createECDH, randomBytes, randomUUID, type ECDH } from 'node:crypto';
import { EventEmitter } from 'node:events';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DecryptError, decryptAes128gcm } from './decrypt.js';
import { VapidError, verifyVapid } from './vapid.js';

export { decryptAes128gcm, DecryptError } from './decrypt.js';
export { verifyVapid, VapidError } from './vapid.js';

export interface TestSubscription {
  id: string;
  /** What `PushSubscription.toJSON()` gives a web app. */
  json: { endpoint: string; keys: { p256dh: string; auth: string }; expirationTime: null };
}

export interface PushMessage {
  subscriptionId: string;
  /** The decrypted body. */
  text: string;
  ttl: number;
  urgency: string;
  topic: string | null;
  /** The VAPID JWT's subject. */
  subject: string;
  receivedAt: number;
}

export interface Refusal {
  subscriptionId: string;
  status: number;
  reason: string;
}

interface Sub {
  id: string;
  applicationServerKey: string;
  ecdh: ECDH;
  auth: Buffer;
  gone: boolean;
}

const URGENCIES = ['very-low', 'low', 'normal', 'high'];

export class LocalPushService extends EventEmitter {
  readonly messages: PushMessage[] = [];
  readonly refusals: Refusal[] = [];
  private readonly subs = new Map<string, Sub>();
  private server: http.Server | null = null;
  private base = '';
  /** Answer the next N pushes with this status (a push service's 429 / 5xx), before any check. */
  private failNext: { status: number; count: number } | null = null;
  /** Keep messages (tests) or only count them (the bench). */
  keep = true;
  accepted = 0;
  /** Milliseconds every push waits before it is answered: a push service under load. */
  latencyMs = 0;
  /** Requests the sender gave up on while they were held (its timeout, or it stopped). */
  abandoned = 0;
  /** Subscriptions whose endpoint hangs: requests are held unanswered until `release()`. */
  private readonly hanging = new Set<string>();
  private readonly holding = new Set<() => void>();

  async start(port = 0): Promise<string> {
    const server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        res.writeHead(500).end(String(err));
      });
    });
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.server = server;
    this.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.base;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  /** What a browser does on `pushManager.subscribe({ applicationServerKey })`. */
  subscribe(applicationServerKey: string): TestSubscription {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    const auth = randomBytes(16);
    const id = randomUUID();
    this.subs.set(id, { id, applicationServerKey, ecdh, auth, gone: false });
    return {
      id,
      json: {
        endpoint: `${this.base}/push/${id}`,
        keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') },
        expirationTime: null,
      },
    };
  }

  /** The user uninstalled the app or revoked permission: the endpoint answers 410 from now on. */
  unsubscribe(id: string): void {
    const s = this.subs.get(id);
    if (s) s.gone = true;
  }

  /** The endpoint of this subscription stops answering (accepts the request, never replies) until `release()`. */
  hang(id: string): void {
    this.hanging.add(id);
  }

  /** Every hanging endpoint answers again, and the requests held so far are handled as usual. */
  release(): void {
    this.hanging.clear();
    for (const go of [...this.holding]) go();
  }

  /** Requests held unanswered right now. */
  get held(): number {
    return this.holding.size;
  }

  /** `http://127.0.0.1:<port>`: where it listens (loopback, so Trygg must allow-list it). */
  get origin(): string {
    return this.base;
  }

  failNextPushes(status: number, count: number): void {
    this.failNext = { status, count };
  }

  /** Resolves with the first kept message (now or later) that satisfies `pred`. */
  waitFor(pred: (m: PushMessage) => boolean, timeoutMs = 10_000): Promise<PushMessage> {
    const hit = this.messages.find(pred);
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('message', on);
        reject(new Error('no matching push message in time'));
      }, timeoutMs);
      const on = (m: PushMessage) => {
        if (!pred(m)) return;
        clearTimeout(timer);
        this.off('message', on);
        resolve(m);
      };
      this.on('message', on);
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const m = /^\/push\/([0-9a-f-]{36})$/.exec(req.url ?? '');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    if (req.method !== 'POST' || !m?.[1]) return void res.writeHead(404).end();
    const id = m[1];
    const refuse = (status: number, reason: string) => {
      this.refusals.push({ subscriptionId: id, status, reason });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(reason);
    };
    if (this.hanging.has(id) && !(await this.hold(res))) return;
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    if (this.failNext && this.failNext.count > 0) {
      this.failNext.count -= 1;
      return refuse(this.failNext.status, 'failing on command');
    }
    const sub = this.subs.get(id);
    if (!sub) return refuse(404, 'no such subscription');
    // RFC 8030 §7.3: an expired or unsubscribed subscription answers 410 Gone.
    if (sub.gone) return refuse(410, 'subscription gone');
    let subject: string;
    try {
      subject = await verifyVapid(req.headers.authorization, this.base, sub.applicationServerKey, Math.floor(Date.now() / 1000));
    } catch (err) {
      if (err instanceof VapidError) return refuse(err.status, err.message);
      throw err;
    }
    // RFC 8030 §5.2: TTL is required.
    const ttlRaw = req.headers.ttl;
    if (typeof ttlRaw !== 'string' || !/^\d+$/.test(ttlRaw)) return refuse(400, 'TTL header missing or not a number');
    const urgency = typeof req.headers.urgency === 'string' ? req.headers.urgency : 'normal';
    if (!URGENCIES.includes(urgency)) return refuse(400, `Urgency ${urgency} unknown`);
    const topic = typeof req.headers.topic === 'string' ? req.headers.topic : null;
    // RFC 8030 §5.4: at most 32 characters of the URL-safe base64 alphabet.
    if (topic !== null && !/^[A-Za-z0-9_-]{1,32}$/.test(topic)) return refuse(400, 'Topic malformed');
    if (req.headers['content-encoding'] !== 'aes128gcm') return refuse(415, 'Content-Encoding must be aes128gcm (RFC 8291 §4)');
    // RFC 8030 §7.2: a push service must accept at least 4096 octets of body.
    if (body.length > 4096) return refuse(413, 'payload too large');
    let text: string;
    try {
      text = decryptAes128gcm(body, { ecdh: sub.ecdh, auth: sub.auth }).toString('utf8');
    } catch (err) {
      if (err instanceof DecryptError) return refuse(400, `cannot decrypt: ${err.message}`);
      throw err;
    }
    this.accepted += 1;
    const msg: PushMessage = { subscriptionId: id, text, ttl: Number(ttlRaw), urgency, topic, subject, receivedAt: Date.now() };
    if (this.keep) {
      this.messages.push(msg);
      this.emit('message', msg);
    }
    res.writeHead(201, { location: `${this.base}/message/${randomUUID()}` }).end();
  }

  /** Holds a request until `release()` (true) or until the sender closes it (false). */
  private hold(res: ServerResponse): Promise<boolean> {
    return new Promise((resolve) => {
      const go = () => {
        this.holding.delete(go);
        resolve(true);
      };
      this.holding.add(go);
      res.once('close', () => {
        if (!this.holding.delete(go)) return;
        this.abandoned += 1;
        resolve(false);
      });
    });
  }
}
