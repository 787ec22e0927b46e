/** Web push: VAPID, message encryption, subscriptions, where pushes may go, and the Notifier that sends. */
export * from './ece.js';
export * from './vapid.js';
export * from './subscriptions.js';
export * from './web-push-notifier.js';
export { EndpointGuard, nonPublicReason, type EndpointPolicy, type Resolve } from './endpoint-guard.js';
export { validateSubscriptionKeys } from './subscription-keys.js';
export { pushText } from './push-text.js';
