/**
 * The live connection behind the queue: loads the open alarms, then follows socket.io updates.
 * Opened when the host enters the page, closed when it leaves (e.g. on sign-out). Whenever the
 * stream may have missed something — a reconnect, a gap in the sequence — it asks the server
 * to resume from the last update it applied, so what the operator sees is never stale or wrong.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { io, type Socket } from 'socket.io-client';
import type {
  Alarm,
  ClientToServerEvents,
  DutyState,
  IntegrationHealth,
  LiveUpdate,
  ResumeReply,
  ServerToClientEvents,
} from '@trygg/alarm-core';
import { AlarmFeed } from './alarm-feed.js';
import { ApiError, errorMessage } from './api.js';
import { fetchOpenAlarms } from './data/alarms.js';

export type ConnectionState = 'connecting' | 'connected' | 'lost';

export interface LiveOptions {
  token: string;
  /** Alarms that were just raised, for the sound and the screen-reader announcement. */
  onOpened: (alarms: Alarm[]) => void;
  /** An alarm nobody claimed was re-alerted to the response centre: sound it again. */
  onRealerted?: (alarm: Alarm) => void;
  onError: (message: string) => void;
  onUnauthorized: () => void;
}

type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const RESUME_TIMEOUT_MS = 10_000;
const RETRY_MS = 3_000;
const UNAUTHENTICATED = 'TRYGG_ERR_UNAUTHENTICATED';
const FORBIDDEN = 'TRYGG_ERR_FORBIDDEN';

export class LiveController implements ReactiveController {
  readonly feed = new AlarmFeed();
  connection: ConnectionState = 'connecting';
  /** False until the first full list has arrived; the host shows a loading state meanwhile. */
  loaded = false;
  /** The service's integrations as the server last said (on connect and on every change). */
  integrations: IntegrationHealth[] = [];
  /** Responders on duty (administrators only; null for others). */
  duty: DutyState | null = null;

  private readonly host: ReactiveControllerHost;
  private readonly options: LiveOptions;
  private socket: LiveSocket | null = null;
  /** Bumped on every start and stop, so answers meant for an earlier connection are dropped. */
  private run = 0;
  private resumeTicket = 0;
  private resuming = false;
  /** Updates held back while a resume is under way or after a gap, applied once it answers. */
  private held: LiveUpdate[] = [];
  private retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(host: ReactiveControllerHost, options: LiveOptions) {
    this.host = host;
    this.options = options;
    host.addController(this);
  }

  hostConnected(): void {
    void this.start();
  }

  hostDisconnected(): void {
    this.stop();
  }

  private async start(): Promise<void> {
    const run = ++this.run;
    this.setConnection('connecting');
    try {
      const { alarms, head } = await fetchOpenAlarms(this.options.token);
      if (run !== this.run) return;
      this.feed.replace(alarms, head);
      this.loaded = true;
      this.publish();
    } catch (err) {
      if (run !== this.run) return;
      if (err instanceof ApiError && err.status === 401) return; // the app is already on its way to sign-in
      // Not fatal: resuming from 0 over the socket also yields the open alarms.
      this.options.onError(errorMessage(err));
    }
    this.connect(run);
  }

  private stop(): void {
    this.run++;
    this.resumeTicket++;
    this.resuming = false;
    this.held = [];
    clearTimeout(this.retryTimer);
    if (this.socket) {
      this.socket.removeAllListeners();
      this.socket.io.removeAllListeners();
      this.socket.disconnect();
      this.socket = null;
    }
    document.body.dataset.connected = 'false';
    delete document.body.dataset.liveSeq;
  }

  private connect(run: number): void {
    const socket: LiveSocket = io({ path: '/socket.io', auth: { token: this.options.token }, transports: ['websocket'] });
    this.socket = socket;

    socket.on('connect', () => {
      this.setConnection('connected');
      this.resume();
    });
    socket.on('disconnect', (reason) => {
      this.setConnection('lost');
      // The server hung up on purpose (restart, token check): socket.io will not retry by itself.
      if (reason === 'io server disconnect') this.retry(run, () => socket.connect());
    });
    socket.on('connect_error', (err: Error & { data?: { code?: string; message?: string } }) => {
      const code = err.data?.code ?? err.message;
      if (code === UNAUTHENTICATED) {
        this.options.onUnauthorized();
        return;
      }
      this.setConnection('lost');
      if (code === FORBIDDEN) {
        // Retrying cannot change a role; say why instead of "reconnecting" forever.
        this.options.onError(err.data?.message ?? code);
        return;
      }
      // A refusal by server middleware is not retried automatically; a network failure is.
      if (!socket.active) this.retry(run, () => socket.connect());
    });
    socket.on('alarm:update', (update) => this.receive(update));
    socket.on('integrations:health', ({ integrations }) => {
      this.integrations = integrations;
      this.host.requestUpdate();
    });
    socket.on('duty:state', (state) => {
      this.duty = state;
      this.host.requestUpdate();
    });
  }

  private retry(run: number, action: () => void): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (run === this.run) action();
    }, RETRY_MS);
  }

  private receive(update: LiveUpdate): void {
    if (this.resuming) {
      this.held.push(update);
      return;
    }
    const result = this.feed.apply(update);
    if (result === 'gap') {
      this.held.push(update);
      this.resume();
      return;
    }
    if (result === 'applied') {
      if (update.entry.kind === 'opened' && this.feed.has(update.alarm.id)) this.options.onOpened([update.alarm]);
      if (update.entry.kind === 'realerted' && this.feed.has(update.alarm.id)) this.options.onRealerted?.(update.alarm);
      this.publish();
    }
  }

  private resume(): void {
    const socket = this.socket;
    if (!socket?.connected) return;
    const run = this.run;
    const ticket = ++this.resumeTicket;
    this.resuming = true;
    socket.timeout(RESUME_TIMEOUT_MS).emit('resume', { after: this.feed.lastSeq }, (err, reply) => {
      if (run !== this.run || ticket !== this.resumeTicket) return; // superseded by a newer resume
      this.resuming = false;
      if (err) {
        this.retry(run, () => this.resume());
        return;
      }
      if (reply.mode === 'error') {
        this.settle(reply);
        // Keep what is held and ask again later, rather than loop on a refusing server.
        if (reply.code !== UNAUTHENTICATED) this.retry(run, () => this.resume());
        return;
      }
      this.settle(reply);
      const held = this.held.sort((a, b) => a.seq - b.seq);
      this.held = [];
      for (const update of held) this.receive(update);
      this.publish();
    });
  }

  private settle(reply: ResumeReply): void {
    switch (reply.mode) {
      case 'delta': {
        const fresh = this.feed.applyDelta(reply.updates, reply.head);
        const opened = fresh.filter((u) => u.entry.kind === 'opened' && this.feed.has(u.alarm.id)).map((u) => u.alarm);
        if (this.loaded && opened.length > 0) this.options.onOpened(opened);
        this.loaded = true;
        break;
      }
      case 'snapshot': {
        const before = new Set(this.feed.list().map((a) => a.id));
        this.feed.replace(reply.alarms, reply.head);
        const opened = reply.alarms.filter((a) => a.state === 'open' && !before.has(a.id));
        if (this.loaded && opened.length > 0) this.options.onOpened(opened);
        this.loaded = true;
        break;
      }
      case 'error':
        if (reply.code === UNAUTHENTICATED) this.options.onUnauthorized();
        else this.options.onError(reply.message);
        break;
    }
  }

  private setConnection(state: ConnectionState): void {
    this.connection = state;
    document.body.dataset.connected = state === 'connected' ? 'true' : 'false';
    this.host.requestUpdate();
  }

  /** Tells the host to re-render and exposes the stream position for end-to-end tests. */
  private publish(): void {
    const seq = String(this.feed.lastSeq);
    if (document.body.dataset.liveSeq !== seq) document.body.dataset.liveSeq = seq;
    this.host.requestUpdate();
  }
}
