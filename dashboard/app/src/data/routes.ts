/**
 * Method and path of every REST route, by name: generated from the route map
 * (alarm-core/src/contracts/api) by dashboard/src/api-table.ts. Do not edit; run
 * `npx tsx dashboard/src/api-table.ts --write`.
 */
import type { Api } from '@trygg/alarm-core';

export const ROUTES = {
  listAlarms: { method: 'GET', path: '/api/alarms' },
  getAlarm: { method: 'GET', path: '/api/alarms/:id' },
  alarmCommand: { method: 'POST', path: '/api/alarms/:id/commands' },
  staffOverview: { method: 'GET', path: '/api/staff/overview' },
  residentCard: { method: 'GET', path: '/api/alarms/:id/resident' },
  revealKeySafe: { method: 'POST', path: '/api/alarms/:id/key-safe' },
  listRelatives: { method: 'GET', path: '/api/relatives' },
  inviteRelative: { method: 'POST', path: '/api/relatives/:id/invitations' },
  signInByInvitation: { method: 'POST', path: '/api/auth/invitation' },
  relativeAlarms: { method: 'GET', path: '/api/relative/alarms' },
  statistics: { method: 'GET', path: '/api/statistics' },
  listPolicies: { method: 'GET', path: '/api/escalation-policies' },
  savePolicy: { method: 'PUT', path: '/api/escalation-policies' },
  deletePolicy: { method: 'DELETE', path: '/api/escalation-policies/:id' },
  pushKey: { method: 'GET', path: '/api/push/key' },
  listPushDevices: { method: 'GET', path: '/api/push/subscriptions' },
  savePushSubscription: { method: 'PUT', path: '/api/push/subscriptions/:device' },
  deletePushSubscription: { method: 'DELETE', path: '/api/push/subscriptions/:device' },
  pushAction: { method: 'POST', path: '/api/push/actions' },
  login: { method: 'POST', path: '/api/auth/login' },
  logout: { method: 'POST', path: '/api/auth/logout' },
  me: { method: 'GET', path: '/api/me' },
  signInMethods: { method: 'GET', path: '/api/auth/methods' },
  oidcLogin: { method: 'GET', path: '/api/auth/oidc/login' },
  oidcCallback: { method: 'GET', path: '/api/auth/oidc/callback' },
  oauthToken: { method: 'POST', path: '/api/oauth/token' },
  breakGlass: { method: 'POST', path: '/api/residents/:id/break-glass' },
} as const satisfies { readonly [K in keyof Api]: { readonly method: Api[K]['method']; readonly path: Api[K]['path'] } };
