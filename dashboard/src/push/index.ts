/** Web push: VAPID, message encryption, subscriptions and the Notifier that sends. */
export * from './ece.js';
export * from './vapid.js';
export * from './subscriptions.js';
export * from './web-push-notifier.js';
export { pushText } from './push-text.js';
