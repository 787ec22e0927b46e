/**
 * Keeps a directory cache honest across nodes: LISTENs on `trygg_directory` (sent by triggers on
 * the registry tables) and invalidates on every notice. A lost connection invalidates too and is
 * re-established; while it is down the cache's TTL bounds staleness.
 */
import type { Logger } from '@trygg/alarm-core';
import { NotifyListener } from './notify-listener.js';

export class DirectoryListener extends NotifyListener {
  constructor(databaseUrl: string, onChange: (table?: string) => void, logger: Logger) {
    super({ databaseUrl, channel: 'trygg_directory', onNotice: onChange, onLost: () => onChange(), logger });
  }
}
