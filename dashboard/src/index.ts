/** @trygg/dashboard (server side): the live socket.io server and the built web app's location. */
export * from './live-server.js';
export * from './static.js';
export * from './push/index.js';
export * from './redis-adapter.js';
export * from './sms/index.js';
