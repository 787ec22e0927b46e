/** The night staff's phone app. */
import Type, { type Static } from 'typebox';
import { Alarm } from '../alarm.js';
import { route } from './route.js';

export const StaffRoom = Type.Object({
  id: Type.String(),
  name: Type.String(),
  floorId: Type.String(),
  residentName: Type.Union([Type.String(), Type.Null()]),
  /** The room's open alarm, if any. */
  alarmId: Type.Union([Type.String(), Type.Null()]),
});

export const StaffColleague = Type.Object({
  userId: Type.String(),
  name: Type.String(),
  floors: Type.Array(Type.String()),
  online: Type.Boolean(),
  busyWith: Type.Union([Type.String(), Type.Null()]),
});

/** The floors they work on with each room's state, the institution's open alarms, who else is on shift. */
export const StaffOverview = Type.Object({
  institution: Type.Union([Type.Object({ id: Type.String(), name: Type.String() }), Type.Null()]),
  floors: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), mine: Type.Boolean() })),
  rooms: Type.Array(StaffRoom),
  alarms: Type.Array(Alarm),
  colleagues: Type.Array(StaffColleague),
});
export type StaffOverview = Static<typeof StaffOverview>;

export const staffApi = {
  staffOverview: route({
    method: 'GET',
    path: '/api/staff/overview',
    tag: 'staff',
    summary: "The night staff's floors, rooms, alarms and colleagues on shift",
    response: StaffOverview,
    errors: [401, 403],
  }),
} as const;
