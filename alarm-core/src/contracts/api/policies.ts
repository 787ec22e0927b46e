/**
 * Escalation policies: chains attached to a resident, a site (any level) or an alarm type, most
 * specific wins. Alarms already open keep their own copy.
 */
import Type, { type Static } from 'typebox';
import { DeviceEventTypeSchema } from '../device-event.js';
import { Chain } from '../escalation.js';
import { route, SIGNED_IN } from './route.js';

export const POLICY_SCOPES = ['resident', 'site', 'alarm-type'] as const;
export type PolicyScope = (typeof POLICY_SCOPES)[number];

export const EscalationPolicy = Type.Object({
  id: Type.String(),
  scope: Type.Enum(POLICY_SCOPES),
  /** The resident's or site's id, or the alarm type. */
  scopeId: Type.String({ minLength: 1, maxLength: 64 }),
  /** Only for this type of alarm; null = every type. */
  alarmType: Type.Union([DeviceEventTypeSchema, Type.Null()]),
  chain: Chain,
  updatedAt: Type.String(),
});
export type EscalationPolicy = Static<typeof EscalationPolicy>;

export const EscalationPolicyInput = Type.Object(
  {
    scope: Type.Enum(POLICY_SCOPES),
    scopeId: Type.String({ minLength: 1, maxLength: 64 }),
    alarmType: Type.Optional(Type.Union([DeviceEventTypeSchema, Type.Null()])),
    chain: Chain,
  },
  { additionalProperties: false },
);
export type EscalationPolicyInput = Static<typeof EscalationPolicyInput>;

const errors = [...SIGNED_IN, 404] as const;

export const policiesApi = {
  listPolicies: route({
    method: 'GET',
    path: '/api/escalation-policies',
    tag: 'escalation',
    summary: 'Every escalation policy',
    response: Type.Object({ policies: Type.Array(EscalationPolicy) }),
    errors,
  }),
  savePolicy: route({
    method: 'PUT',
    path: '/api/escalation-policies',
    tag: 'escalation',
    summary: 'Creates or replaces the policy of a scope (and alarm type); open alarms keep theirs',
    body: EscalationPolicyInput,
    response: EscalationPolicy,
    errors,
  }),
  deletePolicy: route({
    method: 'DELETE',
    path: '/api/escalation-policies/:id',
    tag: 'escalation',
    summary: 'Deletes a policy',
    params: Type.Object({ id: Type.String({ pattern: '^[0-9]+$' }) }),
    response: Type.Object({ deleted: Type.String() }),
    errors,
  }),
} as const;
