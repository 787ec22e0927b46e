/**
 * The chain's self-test (issue 20): synthetic test alarms sent through each real ingress, as a
 * device would, must reach the live channel. What one probe recorded at each hop, the state per
 * ingress, and the service's own alarm when the chain is broken or late: the live banner, the
 * service's event log, `/metrics`, and `/readyz` all read this one shape.
 */
import Type, { type Static } from 'typebox';

/** Each way a device event arrives that the self-test proves. */
export const CHAIN_INGRESSES = ['mqtt', 'mqtts', 'external-broker', 'sip-udp', 'sip-tcp', 'sip-tls'] as const;
export type ChainIngress = (typeof CHAIN_INGRESSES)[number];

/** The hops of one probe, in the order an alarm passes them. */
export const CHAIN_HOPS = ['ack', 'stored', 'applied', 'live'] as const;
export type ChainHop = (typeof CHAIN_HOPS)[number];

/**
 * `ok`: the last probe arrived in time; `late`: it arrived, after the late mark; `failing`: it did
 * not arrive within the interval (or could not be sent); `pending`: no probe has finished yet.
 */
export const ChainStateSchema = Type.Union([
  Type.Literal('ok'),
  Type.Literal('late'),
  Type.Literal('failing'),
  Type.Literal('pending'),
]);
export type ChainState = Static<typeof ChainStateSchema>;

const Ms = Type.Union([Type.Number({ minimum: 0 }), Type.Null()]);

/** Milliseconds from the device's send to each hop (null: not reached, or not measured on this node). */
export const ChainHops = Type.Object({
  /** The device had its acknowledgement (MQTT PUBACK, SCAIP `<mrs>`): the event is committed. */
  ack: Ms,
  /** The inbox row's time (the database's clock, at its transaction). */
  stored: Ms,
  /** The engine committed the event's application. */
  applied: Ms,
  /** The live channel published it to the response centre's consoles. */
  live: Ms,
});
export type ChainHops = Static<typeof ChainHops>;

export const ChainIngressStatus = Type.Object({
  ingress: Type.Enum(CHAIN_INGRESSES),
  state: ChainStateSchema,
  /** When a probe last went all the way to the live channel in time. */
  lastSuccessAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  /** When the last probe was sent. */
  lastRunAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  hops: ChainHops,
  /** Why the last probe failed (words for an operator's log, not a code). */
  error: Type.Union([Type.String(), Type.Null()]),
});
export type ChainIngressStatus = Static<typeof ChainIngressStatus>;

/** The whole chain: its worst ingress decides; `since` is when it took this state. */
export const ChainStatus = Type.Object({
  state: ChainStateSchema,
  since: Type.String({ format: 'date-time' }),
  ingresses: Type.Array(ChainIngressStatus),
});
export type ChainStatus = Static<typeof ChainStatus>;

/** A device's `test` event the engine applied: the live channel tells the response centre's consoles. */
export const TestProbe = Type.Object({
  deviceId: Type.String(),
  eventId: Type.String(),
  /** When the engine committed it. */
  appliedAt: Type.String({ format: 'date-time' }),
});
export type TestProbe = Static<typeof TestProbe>;
