/** Statistics for the response centre, read from the alarms and their timelines. */
export * from './service-levels.js';
