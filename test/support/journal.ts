/**
 * The service wired to a local FHIR receiver (OAuth private_key_jwt + DPoP, R4 validation,
 * failure modes on command), with fast retry, follow-up and backlog-alert periods for tests.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startFhirReceiver, type FhirReceiver } from '@trygg/simulators/fhir-receiver';
import { startTestService, type TestService } from './service.js';

export interface JournalSetup {
  svc: TestService;
  receiver: FhirReceiver;
  /** Raises, claims and resolves an alarm from a device; returns its id. */
  handledAlarm: (deviceId: string) => Promise<string>;
  stop(): Promise<void>;
}

export async function startWithJournal(): Promise<JournalSetup> {
  const receiver = await startFhirReceiver({ requireDpop: true });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'trygg-journal-'));
  const keyFile = path.join(dir, 'journal-key.json');
  await writeFile(keyFile, JSON.stringify(receiver.clientPrivateJwk), { mode: 0o600 });
  const svc = await startTestService({
    config: {
      journalUrl: receiver.baseUrl,
      journalTokenUrl: receiver.tokenUrl,
      journalClientId: receiver.clientId,
      journalKeyFile: keyFile,
      journalDpop: true,
    },
    start: { journal: { baseBackoffMs: 50, maxBackoffMs: 400, followUpMs: 100, pollMs: 50, timeoutMs: 500, watchMs: 100 } },
  });
  return {
    svc,
    receiver,
    handledAlarm: async (deviceId) => {
      const { id } = await svc.raiseAlarm(deviceId);
      const { token } = await svc.login('operator');
      await svc.api('POST', `/api/alarms/${id}/commands`, token, { id: randomUUID(), type: 'claim' });
      const res = await svc.api('POST', `/api/alarms/${id}/commands`, token, {
        id: randomUUID(),
        type: 'resolve',
        note: 'Ringte, alt vel',
        cause: 'accidental',
        action: 'phone-call',
      });
      if (res.status !== 200) throw new Error(`resolve answered ${res.status}: ${JSON.stringify(res.body)}`);
      return id;
    },
    stop: async () => {
      await svc.stop();
      await receiver.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
