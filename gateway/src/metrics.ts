/**
 * The gateway's Prometheus metrics, in a registry of its own (so several services in one test
 * process never share counters). Served at `/metrics` by the server.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const LATENCY_BUCKETS = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export class GatewayMetrics {
  readonly registry = new Registry();
  readonly connected: Gauge;
  readonly events: Counter<'outcome'>;
  readonly refused: Counter<'code'>;
  readonly commitLatency: Histogram<'store'>;
  readonly batchSize: Histogram<'store'>;
  readonly telemetryRows: Counter;
  readonly ackLatency: Histogram<'channel'>;
  readonly secretChecks: Counter<'result'>;
  readonly secretChecksNow: Gauge<'state'>;
  /** How many device secret checks wait and run now (set by the MQTT gateway). */
  secretChecksDepth: () => { waiting: number; running: number } = () => ({ waiting: 0, running: 0 });

  constructor(connectedDevices: () => number) {
    collectDefaultMetrics({ register: this.registry, prefix: 'trygg_' });
    this.connected = new Gauge({
      name: 'trygg_mqtt_connected_devices',
      help: 'Devices connected to this node',
      registers: [this.registry],
      collect() {
        this.set(connectedDevices());
      },
    });
    this.events = new Counter({
      name: 'trygg_device_events_total',
      help: 'Device events committed to the inbox (stored) or recognised as resends (duplicate)',
      labelNames: ['outcome'],
      registers: [this.registry],
    });
    this.refused = new Counter({
      name: 'trygg_device_messages_refused_total',
      help: 'Device messages and connections refused, by error code',
      labelNames: ['code'],
      registers: [this.registry],
    });
    this.commitLatency = new Histogram({
      name: 'trygg_commit_seconds',
      help: 'Duration of one group commit (inbox or telemetry), seconds',
      labelNames: ['store'],
      buckets: LATENCY_BUCKETS,
      registers: [this.registry],
    });
    this.batchSize = new Histogram({
      name: 'trygg_commit_batch_size',
      help: 'Items in one group commit',
      labelNames: ['store'],
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000],
      registers: [this.registry],
    });
    this.telemetryRows = new Counter({
      name: 'trygg_telemetry_rows_total',
      help: 'Telemetry rows committed (rate() gives rows per second)',
      registers: [this.registry],
    });
    this.ackLatency = new Histogram({
      name: 'trygg_ack_latency_seconds',
      help: 'From a QoS 1 PUBLISH reaching the gateway to its PUBACK being released (after commit), seconds',
      labelNames: ['channel'],
      buckets: LATENCY_BUCKETS,
      registers: [this.registry],
    });
    this.secretChecks = new Counter({
      name: 'trygg_mqtt_secret_checks_total',
      help: 'Device secrets compared with scrypt at CONNECT (a secret verified before on this node is not), by result',
      labelNames: ['result'],
      registers: [this.registry],
    });
    const depth = () => this.secretChecksDepth();
    this.secretChecksNow = new Gauge({
      name: 'trygg_mqtt_secret_checks',
      help: 'Device secret checks waiting for their turn or running now',
      labelNames: ['state'],
      registers: [this.registry],
      collect() {
        const { waiting, running } = depth();
        this.set({ state: 'waiting' }, waiting);
        this.set({ state: 'running' }, running);
      },
    });
  }

  /** A group-commit observer for one store (`inbox`, `telemetry`). */
  commitObserver(store: string): (items: number, ms: number, ok: boolean) => void {
    return (items, ms, ok) => {
      if (!ok) return;
      this.commitLatency.observe({ store }, ms / 1000);
      this.batchSize.observe({ store }, items);
    };
  }
}
