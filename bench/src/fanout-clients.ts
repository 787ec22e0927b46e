/**
 * The fan-out bench's clients, in a worker thread (the other core), as remote browsers would
 * be: N socket.io operator clients or N plain WebSocket clients. Each receipt's latency is
 * now − the publish moment the update carries (`entry.data.sentAt`, epoch ms, same clock).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { io as connect, type Socket } from 'socket.io-client';
import { WebSocket } from 'ws';

interface Job {
  mode: 'socket.io' | 'ws';
  url: string;
  clients: number;
}
type Received = { entry: { data: { sentAt: number } } };

const job = workerData as Job;
const now = () => performance.timeOrigin + performance.now();
const samples: number[] = [];
const record = (u: Received) => samples.push(now() - u.entry.data.sentAt);
const closers: (() => void)[] = [];

for (let i = 0; i < job.clients; i += 50) {
  await Promise.all(
    Array.from(
      { length: Math.min(50, job.clients - i) },
      () =>
        new Promise<void>((resolve, reject) => {
          if (job.mode === 'socket.io') {
            const s: Socket = connect(job.url, {
              path: '/socket.io',
              auth: { token: 't' },
              transports: ['websocket'],
              reconnection: false,
            });
            s.on('alarm:update', record);
            s.once('connect', () => resolve());
            s.once('connect_error', reject);
            closers.push(() => s.close());
          } else {
            const w = new WebSocket(job.url);
            w.on('message', (d: Buffer) => record(JSON.parse(d.toString('utf8')) as Received));
            w.once('open', () => resolve());
            w.once('error', reject);
            closers.push(() => w.terminate());
          }
        }),
    ),
  );
}
parentPort?.postMessage({ type: 'ready' });
// `drain`: this round's receipts, the clients stay connected; `collect`: the last ones, then close.
parentPort?.on('message', (m: { type: 'drain' | 'collect' }) => {
  if (m.type === 'collect') for (const c of closers) c();
  parentPort?.postMessage({ type: 'samples', samples: samples.splice(0) });
});
