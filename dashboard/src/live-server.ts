/**
 * The live side of the dashboard: socket.io on the service's HTTP server. Signed-in operators
 * join the `operators` room and get every committed timeline change as `alarm:update`, numbered;
 * on (re)connect a client sends the last number it saw and gets exactly what it missed, or a
 * fresh snapshot when it is too far behind. Administrators also join `admins`, where the journal
 * backlog alert arrives. A socket lives no longer than its session: it is closed when its token
 * runs out, when the session is signed out here (`endSessions`), and at the next periodic look
 * when the account was erased or changed or the session ended on another node.
 */
import type { Server as HttpServer } from 'node:http';
import type { Socket as NetSocket } from 'node:net';
import { Server, type Namespace, type ServerOptions, type Socket } from 'socket.io';
import { Compile } from 'typebox/compile';
import {
  errorEnvelope,
  ResumeRequest,
  TryggError,
  type Alarm,
  type ChainStatus,
  type ClientToServerEvents,
  type LivePayload,
  type LiveSink,
  type LiveUpdate,
  type Logger,
  type PeopleServerToClientEvents,
  type Principal,
  type ResumeReply,
  type ServerToClientEvents,
  type TestProbe,
} from '@trygg/alarm-core';

export interface LiveServerOptions {
  /** Verifies a sign-in token (throws TRYGG_ERR_UNAUTHENTICATED). */
  verify(token: string): Promise<Principal>;
  /** Whether this person may watch the operators' stream. */
  mayWatchOperators(p: Principal): boolean;
  /** Whether this person gets the administrators' messages (the journal backlog alert). */
  mayAdminister(p: Principal): boolean;
  /** Whether this person may watch installation tests (technicians). */
  mayWatchTechnicians?(p: Principal): boolean;
  /** Whether this person may use the people namespace (staff, relatives: their own alarms). */
  mayWatchOwn?(p: Principal): boolean;
  /** socket.io adapter for several nodes (Redis); default: in-memory, one node. */
  adapter?: ServerOptions['adapter'];
  updatesAfter(after: number, limit: number): Promise<LiveUpdate[] | null>;
  snapshot(): Promise<{ alarms: Alarm[]; head: number }>;
  logger: Logger;
  /** Most updates a resume replays before answering with a snapshot instead. */
  maxReplay?: number;
  /** How long a connection may stay without signing in to a namespace before it is closed (default 10 s). */
  signInTimeoutMs?: number;
  /** Which of these tokens still open Trygg (the periodic look at open sockets); default: `verify` each. */
  stillValid?(tokens: readonly string[]): Promise<boolean[]>;
  /** How often every open socket's session is looked at again (default 10 s). */
  recheckEveryMs?: number;
}

export interface AttachOptions {
  /** A connection signed in: the HTTP server may stop counting it against its address. */
  established?: (transport: NetSocket) => void;
}

interface SocketData {
  principal: Principal;
  /** The token it signed in with, looked at again periodically. */
  token: string;
  /** The token's session id (`jti`), when it has one. */
  sessionId: string | null;
}

/** The claims of a token `verify` has accepted (so they can be read without checking again). */
function claimsOf(token: string): { exp?: unknown; jti?: unknown } {
  try {
    return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: unknown; jti?: unknown };
  } catch {
    return {};
  }
}

/** setTimeout's ceiling (about 24.8 days); a token lives at most a week. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const OPERATORS = 'operators';
const PEOPLE = '/people';
const userRoom = (userId: string) => `user:${userId}`;
const ADMINS = 'admins';
const TECHNICIANS = 'technicians';
const checkResume = Compile(ResumeRequest);

export class LiveServer implements LiveSink {
  private io: Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData> | null = null;
  private people: Namespace<Record<string, never>, PeopleServerToClientEvents, Record<string, never>, SocketData> | null = null;

  constructor(private readonly opts: LiveServerOptions) {}

  private established: AttachOptions['established'];
  /** The latest integrations' health and duty state, greeted to each console as it connects. */
  private integrations: LivePayload<'integrations:health'> | null = null;
  private duty: LivePayload<'duty:state'> | null = null;
  /** The self-test's last state: told to every console as it connects, so the banner shows at once. */
  private chain: ChainStatus | null = null;
  private readonly probeListeners = new Set<(p: TestProbe) => void>();
  private recheckTimer: NodeJS.Timeout | null = null;

  attach(http: HttpServer, opts: AttachOptions = {}): void {
    this.established = opts.established;
    const io = new Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>(http, {
      path: '/socket.io',
      serveClient: false,
      maxHttpBufferSize: 64 * 1024,
      // An anonymous connection that never signs in is closed, not kept for free.
      connectTimeout: this.opts.signInTimeoutMs ?? 10_000,
      ...(this.opts.adapter ? { adapter: this.opts.adapter } : {}),
    });
    io.use((socket, next) =>
      this.authenticate(socket, (p) => this.opts.mayWatchOperators(p) || (this.opts.mayWatchTechnicians?.(p) ?? false), next),
    );
    const people = io.of(PEOPLE) as unknown as Namespace<
      Record<string, never>,
      PeopleServerToClientEvents,
      Record<string, never>,
      SocketData
    >;
    people.use((socket, next) => this.authenticate(socket, (p) => this.opts.mayWatchOwn?.(p) ?? false, next));
    people.on('connection', (socket) => {
      void socket.join(userRoom(socket.data.principal.userId));
    });
    this.people = people;
    io.on('connection', (socket) => {
      const operator = this.opts.mayWatchOperators(socket.data.principal);
      if (operator) void socket.join(OPERATORS);
      if (operator && this.integrations) socket.emit('integrations:health', this.integrations);
      if (this.opts.mayAdminister(socket.data.principal)) {
        void socket.join(ADMINS);
        if (this.duty) socket.emit('duty:state', this.duty);
      }
      if (this.opts.mayWatchTechnicians?.(socket.data.principal)) void socket.join(TECHNICIANS);
      if (this.chain) socket.emit('chain:status', this.chain);
      socket.on('resume', (req, reply) => {
        if (typeof reply !== 'function') return;
        if (!operator) {
          reply({ mode: 'error', code: 'TRYGG_ERR_FORBIDDEN', message: 'the alarm stream is for the response centre' });
          return;
        }
        if (!checkResume.Check(req)) {
          reply({ mode: 'error', code: 'TRYGG_ERR_VALIDATION', message: 'resume needs { after: integer ≥ 0 }' });
          return;
        }
        this.resume(req.after).then(reply, (err: unknown) => {
          this.opts.logger.error({ err }, 'resume failed');
          const env = errorEnvelope(err);
          reply({ mode: 'error', code: env.code, message: env.message });
        });
      });
    });
    this.io = io;
    this.recheckTimer = setInterval(() => void this.recheck(), this.opts.recheckEveryMs ?? 10_000);
    this.recheckTimer.unref();
  }

  /** Every open socket (both namespaces). */
  private *sockets(): Iterable<Socket> {
    if (this.io) yield* this.io.of('/').sockets.values();
    if (this.people) yield* (this.people as unknown as Namespace).sockets.values();
  }

  /** Closes a socket whose session ended; its client's reconnect is then refused and it signs in again. */
  private end(socket: Socket, why: string): void {
    const data = socket.data as Partial<SocketData>;
    this.opts.logger.info({ userId: data.principal?.userId, nsp: socket.nsp.name, why }, 'live connection closed: session ended');
    socket.disconnect(true);
  }

  /** Looks at every open socket's session again, in one batch. */
  private async recheck(): Promise<void> {
    const open = [...this.sockets()].filter((s) => typeof (s.data as Partial<SocketData>).token === 'string');
    if (open.length === 0) return;
    const tokens = open.map((s) => (s.data as SocketData).token);
    try {
      const valid = this.opts.stillValid
        ? await this.opts.stillValid(tokens)
        : await Promise.all(
            tokens.map((t) =>
              this.opts.verify(t).then(
                () => true,
                () => false,
              ),
            ),
          );
      open.forEach((s, i) => {
        if (valid[i] === false && s.connected) this.end(s, 'session no longer stands');
      });
    } catch (err) {
      // The database is away: keep the sockets (people answering alarms), look again next time.
      this.opts.logger.warn({ err }, 'live session recheck failed');
    }
  }

  /** A session (or every session of a user, `sessionId` null) was signed out: its sockets close now. */
  endSessions(ended: { userId: string; sessionId: string | null }): void {
    for (const s of this.sockets()) {
      const data = s.data as Partial<SocketData>;
      const match = ended.sessionId === null ? data.principal?.userId === ended.userId : data.sessionId === ended.sessionId;
      if (match) this.end(s, 'signed out');
    }
  }

  /** Remembers the socket's token and closes the socket when the token runs out. */
  private watchSession(socket: Socket, token: string): void {
    const { exp, jti } = claimsOf(token);
    const data = socket.data as SocketData;
    data.token = token;
    data.sessionId = typeof jti === 'string' ? jti : null;
    if (typeof exp !== 'number') return;
    const timer = setTimeout(
      () => this.end(socket, 'token expired'),
      Math.min(Math.max(exp * 1000 - Date.now(), 0), MAX_TIMER_MS),
    );
    timer.unref();
    socket.once('disconnect', () => clearTimeout(timer));
  }

  /** Checks the handshake's token and that the person may use this namespace. */
  private authenticate(socket: Socket, allowed: (p: Principal) => boolean, next: (err?: Error) => void): void {
    const token: unknown = socket.handshake.auth.token;
    if (typeof token !== 'string') {
      next(
        Object.assign(new Error('TRYGG_ERR_UNAUTHENTICATED'), {
          data: errorEnvelope(new TryggError('TRYGG_ERR_UNAUTHENTICATED')),
        }),
      );
      return;
    }
    this.opts
      .verify(token)
      .then((principal) => {
        if (!allowed(principal)) throw new TryggError('TRYGG_ERR_FORBIDDEN');
        (socket.data as SocketData).principal = principal;
        this.watchSession(socket, token);
        this.established?.(socket.request.socket);
        next();
      })
      .catch((err: unknown) => {
        const env = errorEnvelope(err);
        this.opts.logger.info({ code: env.code, ip: socket.handshake.address, nsp: socket.nsp.name }, 'live connection refused');
        next(Object.assign(new Error(env.code), { data: env }));
      });
  }

  private async resume(after: number): Promise<ResumeReply> {
    const updates = await this.opts.updatesAfter(after, this.opts.maxReplay ?? 500);
    if (updates) return { mode: 'delta', updates, head: updates.at(-1)?.seq ?? after };
    const snap = await this.opts.snapshot();
    return { mode: 'snapshot', alarms: snap.alarms, head: snap.head };
  }

  /** LiveSink: fans committed updates out to the operators, in sequence order. */
  publish(updates: readonly LiveUpdate[]): void {
    const io = this.io;
    if (!io) return;
    for (const u of [...updates].sort((a, b) => a.seq - b.seq)) {
      io.to(OPERATORS).emit('alarm:update', u);
      // Everyone the alarm names (relatives, staff) hears that it changed, not what changed.
      const rooms = new Set<string>();
      for (const list of Object.values(u.alarm.escalation.roster))
        for (const r of list) if (r.userId) rooms.add(userRoom(r.userId));
      if (u.alarm.claimedBy) rooms.add(userRoom(u.alarm.claimedBy.userId));
      if (rooms.size > 0) this.people?.to([...rooms]).emit('alarm:changed', { alarmId: u.alarm.id, seq: u.seq });
    }
  }

  /** LiveSink: a delivery fact (sent, delivered, seen, answered, failed) to the operators' cards. */
  publishDelivery(fact: LivePayload<'alarm:delivery'>): void {
    this.io?.to(OPERATORS).emit('alarm:delivery', fact);
  }

  /** Which of these people have the app open now (on any node, through the adapter). */
  async online(userIds: readonly string[]): Promise<Set<string>> {
    const people = this.people;
    if (!people || userIds.length === 0) return new Set();
    const sockets = await people.in(userIds.map(userRoom)).fetchSockets();
    return new Set(sockets.map((s) => s.data.principal.userId));
  }

  /** The journal backlog alert was raised or cleared: every signed-in administrator hears it. */
  publishJournalBacklog(state: LivePayload<'journal:backlog'>): void {
    this.io?.to(ADMINS).emit('journal:backlog', state);
  }

  /** The integrations' health changed: every console (operators and administrators) hears it. */
  publishIntegrations(state: LivePayload<'integrations:health'>): void {
    this.integrations = state;
    this.io?.to(OPERATORS).emit('integrations:health', state);
  }

  /** Responders on duty: a gap opened or closed; the leader (administrators) hears it. */
  publishDuty(state: LivePayload<'duty:state'>): void {
    this.duty = state;
    this.io?.to(ADMINS).emit('duty:state', state);
  }

  /** Which operators have the console open now (on any node, through the adapter). */
  async operatorsOnline(isResponder: (p: Principal) => boolean): Promise<Set<string>> {
    const io = this.io;
    if (!io) return new Set();
    const sockets = await io.in(OPERATORS).fetchSockets();
    return new Set(sockets.filter((s) => isResponder(s.data.principal)).map((s) => s.data.principal.userId));
  }

  /** Unusual access (many residents' records opened by one user): every signed-in administrator hears it. */
  publishUnusualAccess(alert: LivePayload<'access:unusual'>): void {
    this.io?.to(ADMINS).emit('access:unusual', alert);
  }

  /** Tells technicians' screens that installation tests started, passed or failed. */
  publishTests(tests: readonly LivePayload<'installation-test:update'>[]): void {
    const io = this.io;
    if (!io) return;
    for (const t of tests) io.to(TECHNICIANS).emit('installation-test:update', t);
  }

  /** Someone broke the glass (elevated access to a resident): every signed-in administrator hears it. */
  publishBrokenGlass(grant: LivePayload<'access:break-glass'>): void {
    this.io?.to(ADMINS).emit('access:break-glass', grant);
  }

  /**
   * LiveSink: a device's test event was applied. The response centre's consoles hear it (they
   * show nothing for it); on this node the self-test and the installation tests hear that it was
   * published, which is the last hop they time.
   */
  probe(p: TestProbe): void {
    this.io?.to(OPERATORS).emit('test:probe', p);
    for (const l of this.probeListeners) l(p);
  }

  /** Listens for test probes published on this node; returns the unsubscribe. */
  onProbe(listener: (p: TestProbe) => void): () => void {
    this.probeListeners.add(listener);
    return () => this.probeListeners.delete(listener);
  }

  /** The self-test's state changed: every console (operators, administrators, technicians) hears it. */
  publishChain(status: ChainStatus): void {
    this.chain = status;
    this.io?.to([OPERATORS, ADMINS, TECHNICIANS]).emit('chain:status', status);
  }

  /** Drops every live connection (clients reconnect and resume); for failover drills and tests. */
  dropAllConnections(): void {
    this.io?.disconnectSockets(true);
    this.people?.disconnectSockets(true);
  }

  get connections(): number {
    return this.io?.engine.clientsCount ?? 0;
  }

  async close(): Promise<void> {
    if (this.recheckTimer) clearInterval(this.recheckTimer);
    this.recheckTimer = null;
    const io = this.io;
    this.io = null;
    this.people = null;
    if (io) await io.close();
  }
}
