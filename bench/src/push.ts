/**
 * Push notifications prepared per second: Trygg's WebPushNotifier.prepare (VAPID header cached
 * per push-service origin, key agreement cached per subscription) against stock `web-push`
 * `generateRequestDetails` (a new ES256 JWT and a new ECDH key pair for every message), in the
 * same run, over the same 1 000 subscriptions and the same payload. Before timing, a sample of
 * each side's requests is sent to the faithful local push service, which must verify and decrypt
 * them, so the figure is for correct messages.
 */
import webpush from 'web-push';
import { PushEncryptor, VapidAuth, WebPushNotifier } from '@trygg/dashboard';
import { LocalPushService } from '@trygg/simulators';
import { figure, type Figure } from './figures.js';
import { median } from './stats.js';

export interface PushBenchResult {
  subscriptions: number;
  messagesPerRound: number;
  tryggPerSecond: number;
  stockPerSecond: number;
  ratio: number;
  /** Messages per second of each round, interleaved: Trygg, web-push, Trygg, web-push … */
  tryggRounds: number[];
  stockRounds: number[];
}

const SUBJECT = 'mailto:bench@trygg.localhost';

export async function benchPush(opts: {
  subscriptions: number;
  messages: number;
  rounds: number;
  log: (l: string) => void;
}): Promise<PushBenchResult> {
  const service = new LocalPushService();
  await service.start();
  try {
    const vapid = webpush.generateVAPIDKeys();
    const subs = Array.from({ length: opts.subscriptions }, () => service.subscribe(vapid.publicKey).json);
    const notifier = new WebPushNotifier({
      db: { query: () => Promise.reject(new Error('not used by prepare')) },
      vapid: new VapidAuth(vapid, SUBJECT),
      encryptor: new PushEncryptor(),
      signAction: () => Promise.reject(new Error('not used by prepare')),
      logger: { info() {}, warn() {}, error() {}, debug() {} },
    });
    // A realistic alert body: words, two actions and an action token's worth of characters.
    const payload = JSON.stringify({
      notificationId: '6f1c9a64-3c55-4a49-8f7c-0e0d3c6f1a2b:n3',
      alarmId: '6f1c9a64-3c55-4a49-8f7c-0e0d3c6f1a2b',
      kind: 'alert',
      seq: 3,
      title: 'Trygghetsalarm: Kari Nordmann, Storgata 12, 0155 Oslo',
      body: 'Kan du ta den?',
      actions: [
        { action: 'accept', title: 'Jeg drar' },
        { action: 'decline', title: 'Kan ikke' },
      ],
      actionToken: 'x'.repeat(420),
      done: { accept: 'Du har tatt alarmen.', decline: 'Du har sagt nei.', failed: 'Svaret kom ikke fram.' },
    });
    const stockOptions = {
      vapidDetails: { subject: SUBJECT, ...vapid },
      TTL: 600,
      urgency: 'high' as const,
      contentEncoding: 'aes128gcm' as const,
    };

    // Correctness first: both sides' messages must pass the push service's checks.
    for (const sub of subs.slice(0, 20)) {
      const t = notifier.prepare(sub.endpoint, sub.keys, payload);
      const s = webpush.generateRequestDetails(sub, payload, stockOptions);
      for (const r of [
        { url: t.endpoint, headers: t.headers, body: t.body },
        { url: s.endpoint, headers: s.headers as Record<string, string>, body: s.body },
      ]) {
        const res = await fetch(r.url, { method: 'POST', headers: r.headers, body: new Uint8Array(r.body) });
        if (res.status !== 201) throw new Error(`push service refused a prepared message: ${res.status} ${await res.text()}`);
      }
    }
    opts.log(`  ${service.accepted} sample messages verified and decrypted by the local push service`);

    const round = (fn: (i: number) => void) => {
      const t0 = performance.now();
      for (let i = 0; i < opts.messages; i++) fn(i);
      return opts.messages / ((performance.now() - t0) / 1000);
    };
    // Warm-up (untimed): the JIT for both, and Trygg's per-subscription key agreement for the
    // current server key (redone once a minute per subscription when the key rotates).
    for (const sub of subs) {
      notifier.prepare(sub.endpoint, sub.keys, payload);
      webpush.generateRequestDetails(sub, payload, stockOptions);
    }
    const trygg: number[] = [];
    const stock: number[] = [];
    for (let r = 0; r < opts.rounds; r++) {
      trygg.push(round((i) => notifier.prepare(subs[i % subs.length]!.endpoint, subs[i % subs.length]!.keys, payload)));
      stock.push(round((i) => webpush.generateRequestDetails(subs[i % subs.length]!, payload, stockOptions)));
      opts.log(`  round ${r + 1}: Trygg ${Math.round(trygg.at(-1)!)}/s, web-push ${Math.round(stock.at(-1)!)}/s`);
    }
    const t = median(trygg);
    const s = median(stock);
    return {
      subscriptions: opts.subscriptions,
      messagesPerRound: opts.messages,
      tryggPerSecond: t,
      stockPerSecond: s,
      ratio: t / s,
      tryggRounds: trygg,
      stockRounds: stock,
    };
  } finally {
    await service.stop();
  }
}

export function pushFigures(r: PushBenchResult): Figure[] {
  return [
    figure({
      section: 'push',
      name: `push messages prepared / s (${r.subscriptions} subscriptions, median of rounds)`,
      kind: 'rate',
      trygg: r.tryggPerSecond,
      peer: { name: 'web-push', value: r.stockPerSecond },
      goal: { text: 'Trygg/peer ≥ 3', met: r.ratio >= 3 },
      rounds: { trygg: r.tryggRounds, peer: r.stockRounds },
    }),
  ];
}
