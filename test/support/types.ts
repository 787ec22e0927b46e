/** Types the tests share with the service. */
export type { ClientToServerEvents, LiveUpdate, LoginResponse, ServerToClientEvents, Alarm } from '@trygg/alarm-core';
export type { DemoCredentials } from '@trygg/devices';
