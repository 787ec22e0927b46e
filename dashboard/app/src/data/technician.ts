/** The technician's app: the technical and offline alarms they were alerted for. */
import { call } from './call.js';

export const fetchTechnicianAlarms = (token: string) => call('technicianAlarms', { token });
