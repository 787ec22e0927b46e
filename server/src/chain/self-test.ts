/**
 * The chain proves itself (issue 20): at start and then every interval, a test alarm goes through
 * each real ingress as a device would send it, and must travel the real path — ingress, inbox,
 * engine, live channel — in time. Each probe's time at every hop is kept (status, metrics); a
 * missing or late one is a system alarm: the service's own event (table `service_events`), a
 * banner on every console (live `chain:status`) and a push to the administrators; it clears itself
 * when the chain works again. Test alarms open no alarm, reach no person and are never journaled
 * (they are `test` events of devices that belong to no resident).
 */
import { randomUUID } from 'node:crypto';
import { Gauge, Histogram, type Registry } from 'prom-client';
import type { ChainHops, ChainIngressStatus, ChainState, ChainStatus, Logger, Pool, TestProbe } from '@trygg/alarm-core';
import { pruneSelfTestEvents } from '@trygg/devices';
import type { ProbeTarget } from './probes.js';

export interface SelfTestDeps {
  pool: Pool;
  /** This node's name in the service's own events (TRYGG_NODE_NAME). */
  node: string;
  logger: Logger;
  targets: ProbeTarget[];
  intervalMs: number;
  lateMs: number;
  /** Subscribes to test probes the live channel published on this node; returns the unsubscribe. */
  onProbe(listener: (p: TestProbe) => void): () => void;
  /** Tells the consoles (banner) and the administrators (push) that the chain's state changed. */
  announce(status: ChainStatus, alarm: { failing: boolean; ingresses: string[] } | null): void;
  registry: Registry;
}

const RANK: Record<ChainState, number> = { pending: 0, ok: 1, late: 2, failing: 3 };
const NO_HOPS: ChainHops = { ack: null, stored: null, applied: null, live: null };

export class ChainSelfTest {
  private readonly ingresses = new Map<string, ChainIngressStatus>();
  private overall: ChainStatus;
  /** Whether the system alarm stands (raised and not yet restored). */
  private alarmed: ChainState | null = null;
  private timer: NodeJS.Timeout | null = null;
  private round: Promise<void> | null = null;
  private stopped = true;
  private readonly waiting = new Map<
    string,
    { resolve: (p: TestProbe & { liveAt: number }) => void; reject: (err: Error) => void }
  >();
  private unsubscribe: (() => void) | null = null;
  private readonly hopSeconds: Histogram<'ingress' | 'hop'>;
  private readonly lastSuccess: Gauge<'ingress'>;
  private readonly stateGauge: Gauge<'ingress'>;
  private readonly listeners = new Set<(s: ChainStatus) => void>();

  constructor(private readonly deps: SelfTestDeps) {
    const now = new Date().toISOString();
    for (const t of deps.targets) {
      this.ingresses.set(t.ingress, {
        ingress: t.ingress,
        state: 'pending',
        lastSuccessAt: null,
        lastRunAt: null,
        hops: NO_HOPS,
        error: null,
      });
    }
    this.overall = { state: 'pending', since: now, ingresses: [...this.ingresses.values()] };
    this.hopSeconds = new Histogram({
      name: 'trygg_chain_hop_seconds',
      help: 'Self-test: seconds from the synthetic device sending a test alarm to each hop (ack, stored, applied, live), per ingress',
      labelNames: ['ingress', 'hop'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [deps.registry],
    });
    this.lastSuccess = new Gauge({
      name: 'trygg_chain_last_success_timestamp_seconds',
      help: 'Self-test: when a test alarm last reached the live channel in time, per ingress (Unix seconds)',
      labelNames: ['ingress'],
      registers: [deps.registry],
    });
    this.stateGauge = new Gauge({
      name: 'trygg_chain_state',
      help: 'Self-test state per ingress: 0 pending, 1 ok, 2 late, 3 failing',
      labelNames: ['ingress'],
      registers: [deps.registry],
    });
  }

  /** The chain as it stands: per ingress, the last success, each hop's latency, ok / late / failing. */
  status(): ChainStatus {
    return structuredClone(this.overall);
  }

  /** Called on every change of the overall state; returns the unsubscribe. */
  onChange(listener: (s: ChainStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    this.stopped = false;
    this.unsubscribe = this.deps.onProbe((p) => this.heard(p));
    this.kick();
    this.timer = setInterval(() => this.kick(), this.deps.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.unsubscribe?.();
    // A probe in flight ends at its own deadline; stopping waits for it only briefly.
    for (const w of this.waiting.values()) w.reject(new Error('the self-test stopped'));
    await this.round;
  }

  /** One round now, unless one is still running. */
  kick(): void {
    if (this.stopped || this.round) return;
    this.round = this.runRound().finally(() => (this.round = null));
  }

  /** Runs a round now (or waits for the one running) and returns the state after it (benchmarks, tools). */
  async probeNow(): Promise<ChainStatus> {
    if (!this.round) this.kick();
    await this.round;
    return this.status();
  }

  private heard(p: TestProbe): void {
    const w = this.waiting.get(p.deviceId);
    if (!w) return;
    this.waiting.delete(p.deviceId);
    w.resolve({ ...p, liveAt: Date.now() });
  }

  private async runRound(): Promise<void> {
    await Promise.all(this.deps.targets.map((t) => this.probe(t)));
    if (this.stopped) return;
    this.settle();
    const ids = this.deps.targets.map((t) => t.device.id);
    await pruneSelfTestEvents(this.deps.pool, ids).catch((err: unknown) =>
      this.deps.logger.warn({ err }, 'self-test prune failed'),
    );
  }

  /** One test alarm through one ingress, timed at every hop. */
  private async probe(t: ProbeTarget): Promise<void> {
    const timeoutMs = 2 * this.deps.lateMs;
    const eventId = `selftest-${randomUUID()}`;
    const sentAt = Date.now();
    const heard = new Promise<TestProbe & { liveAt: number }>((resolve, reject) =>
      this.waiting.set(t.device.id, { resolve, reject }),
    );
    const hops: ChainHops = { ...NO_HOPS };
    let error: string | null = null;
    let deadline: NodeJS.Timeout | undefined;
    try {
      const acked = t.send(eventId, timeoutMs).then(() => (hops.ack = Date.now() - sentAt));
      const missing = new Promise<never>((_, reject) => {
        deadline = setTimeout(() => reject(new Error(`not on the live channel within ${timeoutMs} ms`)), timeoutMs);
        deadline.unref();
      });
      acked.catch(() => undefined); // a failed send is told by the race below
      heard.catch(() => undefined);
      const p = await Promise.race([heard, missing, acked.then(() => heard)]);
      hops.live = p.liveAt - sentAt;
      hops.applied = Date.parse(p.appliedAt) - sentAt;
      await Promise.race([acked, missing]);
      const { rows } = await this.deps.pool.query<{ received_at: Date }>(
        'SELECT received_at FROM device_events WHERE device_id = $1 AND event_id = $2',
        [t.device.id, p.eventId],
      );
      if (rows[0]) hops.stored = Math.max(0, rows[0].received_at.getTime() - sentAt);
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    } finally {
      clearTimeout(deadline);
      this.waiting.delete(t.device.id);
    }
    const reached = hops.live !== null && hops.ack !== null;
    const state: ChainState = !reached ? 'failing' : (hops.live ?? 0) > this.deps.lateMs ? 'late' : 'ok';
    const prev = this.ingresses.get(t.ingress);
    const lastRunAt = new Date(sentAt).toISOString();
    const lastSuccessAt = state === 'ok' ? new Date().toISOString() : (prev?.lastSuccessAt ?? null);
    this.ingresses.set(t.ingress, { ingress: t.ingress, state, lastSuccessAt, lastRunAt, hops, error });
    for (const [hop, ms] of Object.entries(hops))
      if (ms !== null) this.hopSeconds.observe({ ingress: t.ingress, hop }, ms / 1000);
    if (state === 'ok') this.lastSuccess.set({ ingress: t.ingress }, Date.now() / 1000);
    this.stateGauge.set({ ingress: t.ingress }, RANK[state]);
    const log = { ingress: t.ingress, state, hops, error, code: state === 'ok' ? undefined : 'TRYGG_ERR_CHAIN_BROKEN' };
    if (state === 'ok') this.deps.logger.debug(log, 'self-test alarm arrived');
    else this.deps.logger.warn(log, state === 'late' ? 'self-test alarm late' : 'self-test alarm missing');
  }

  /** The overall state after a round; raises, changes or clears the system alarm. */
  private settle(): void {
    const list = [...this.ingresses.values()];
    const worst = list.reduce<ChainState>((w, i) => (RANK[i.state] > RANK[w] ? i.state : w), 'pending');
    const changed = worst !== this.overall.state;
    this.overall = { state: worst, since: changed ? new Date().toISOString() : this.overall.since, ingresses: list };
    const bad = list.filter((i) => i.state === 'late' || i.state === 'failing').map((i) => i.ingress);
    let alarm: { failing: boolean; ingresses: string[] } | null = null;
    if (worst === 'late' || worst === 'failing') {
      if (this.alarmed !== worst) {
        alarm = { failing: true, ingresses: bad };
        void this.record(worst === 'late' ? 'chain-late' : 'chain-failing', bad);
      }
      this.alarmed = worst;
    } else if (this.alarmed !== null && worst === 'ok') {
      this.alarmed = null;
      alarm = { failing: false, ingresses: [] };
      void this.record('chain-restored', []);
    }
    if (changed || alarm) {
      const status = this.status();
      this.deps.announce(status, alarm);
      for (const l of this.listeners) l(status);
    }
  }

  /** The service's own event, beside (never in) the alarms. */
  private async record(kind: 'chain-failing' | 'chain-late' | 'chain-restored', ingresses: string[]): Promise<void> {
    const detail = Object.fromEntries(
      [...this.ingresses.values()].map((i) => [i.ingress, { state: i.state, hops: i.hops, error: i.error }]),
    );
    this.deps.logger[kind === 'chain-restored' ? 'info' : 'error'](
      { kind, ingresses, code: kind === 'chain-restored' ? undefined : 'TRYGG_ERR_CHAIN_BROKEN' },
      kind === 'chain-restored' ? 'the alarm chain works again' : 'the alarm chain is broken or late: system alarm raised',
    );
    await this.deps.pool
      .query('INSERT INTO service_events (node, kind, ingresses, detail) VALUES ($1, $2, $3, $4)', [
        this.deps.node,
        kind,
        ingresses,
        JSON.stringify(detail),
      ])
      .catch((err: unknown) => this.deps.logger.warn({ err, kind }, 'service event not recorded'));
  }
}
