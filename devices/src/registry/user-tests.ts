/**
 * The monthly user test of an alarm button (docs/supervision.md): the resident presses, the
 * response centre answers and talks it through, and the operator marks that alarm as the user
 * test. A button whose last test (or, never tested, its installation) is older than the interval
 * is overdue: a reminder in the operator's and the technician's views.
 */
import { TryggError, type Queryable, type UserTest, type UserTestsDue } from '@trygg/alarm-core';

/** The devices a resident tests with the centre: the ones they press. */
export const USER_TEST_KINDS = ['alarm-button', 'social-alarm-unit'] as const;

/** Records alarm `alarmId` as its device's user test (again: the first record stands). */
export async function recordUserTest(db: Queryable, alarmId: string, userId: string | null): Promise<UserTest> {
  const { rows: found } = await db.query<{
    device_id: string;
    resident_id: string | null;
    class: string;
    kind: string;
    opened_at: Date;
  }>(
    `SELECT a.device_id, a.resident_id, a.class, d.kind, a.opened_at FROM alarms a JOIN devices d ON d.id = a.device_id WHERE a.id = $1`,
    [alarmId],
  );
  const alarm = found[0];
  if (!alarm) throw new TryggError('TRYGG_ERR_ALARM_NOT_FOUND');
  if (alarm.class !== 'care' || !alarm.resident_id || !(USER_TEST_KINDS as readonly string[]).includes(alarm.kind)) {
    throw new TryggError('TRYGG_ERR_USER_TEST_DEVICE', `alarm ${alarmId} is a ${alarm.class} alarm of a ${alarm.kind}`);
  }
  await db.query(
    `INSERT INTO user_tests (device_id, resident_id, alarm_id, at, recorded_by) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (alarm_id) DO NOTHING`,
    [alarm.device_id, alarm.resident_id, alarmId, alarm.opened_at, userId],
  );
  const { rows } = await db.query<{ device_id: string; alarm_id: string; at: Date; recorded_by: string | null }>(
    `SELECT device_id, alarm_id, at, recorded_by FROM user_tests WHERE alarm_id = $1`,
    [alarmId],
  );
  const t = rows[0];
  if (!t) throw new Error(`user test of alarm ${alarmId} not stored`);
  return { deviceId: t.device_id, alarmId: t.alarm_id, at: t.at.toISOString(), recordedBy: t.recorded_by };
}

/** Alarm buttons in use at a resident whose user test is overdue, longest overdue first. */
export async function userTestsDue(db: Queryable, intervalDays: number, residentId: string | null = null): Promise<UserTestsDue> {
  const { rows } = await db.query<{
    id: string;
    kind: string;
    resident_id: string;
    resident_name: string;
    last_test_at: Date | null;
    due_since: Date;
  }>(
    `SELECT * FROM (
       SELECT d.id, d.kind, d.resident_id, r.name AS resident_name, t.at AS last_test_at,
              coalesce(t.at, i.installed_at, d.created_at) + make_interval(days => $1) AS due_since
         FROM devices d JOIN residents r ON r.id = d.resident_id
         LEFT JOIN LATERAL (SELECT at FROM user_tests WHERE device_id = d.id ORDER BY at DESC LIMIT 1) t ON true
         LEFT JOIN installations i ON i.device_id = d.id AND i.ended_at IS NULL
        WHERE d.status = 'active' AND d.kind = ANY($2::text[]) AND ($3::text IS NULL OR d.resident_id = $3)) x
      WHERE due_since <= now()
      ORDER BY due_since, id`,
    [intervalDays, USER_TEST_KINDS, residentId],
  );
  return {
    intervalDays,
    devices: rows.map((r) => ({
      deviceId: r.id,
      kind: r.kind,
      residentId: r.resident_id,
      residentName: r.resident_name,
      lastTestAt: r.last_test_at?.toISOString() ?? null,
      dueSince: r.due_since.toISOString(),
    })),
  };
}
