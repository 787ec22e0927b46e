/**
 * The directory the engine asks "who must hear about an alarm from device X", and the listener
 * that drops its cache when the registry changes (and has the broker disconnect a device that
 * was decommissioned or whose secret was revoked).
 */
import { DirectoryListener, SqlDirectory } from '@trygg/devices';
import { started, type Part } from './part.js';

export interface Directory {
  directory: SqlDirectory;
}

declare module './part.js' {
  interface Parts {
    directory: Directory;
  }
}

export const directory: Part<'directory'> = {
  name: 'directory',
  start: ({ config, logger, get, find }) =>
    started(logger, async (onStop) => {
      const db = get('database');
      // People's reach is limited to the channels the engine has (it starts after the directory).
      const directory = new SqlDirectory(db.directoryPool, {
        timeZone: config.timeZone,
        protectingDeviceKinds: config.protectingDeviceKinds,
        channelKinds: () => find('engine')?.engine.channelKinds ?? ['push', 'console'],
      });
      const listener = new DirectoryListener(
        db.url,
        (table) => {
          directory.invalidate();
          // A decommissioned device, or one whose secret was revoked, is disconnected at once
          // (by the embedded broker, once it runs; an external broker's ACL is its own).
          if (table === undefined || table === 'devices') {
            find('mqttBroker')
              ?.gateway.recheckDevices()
              .catch((err: unknown) => logger.warn({ err }, 'device recheck failed'));
          }
        },
        logger,
      );
      await listener.start();
      onStop(() => listener.stop());
      return { directory };
    }),
};
