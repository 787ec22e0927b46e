/** The people around an alarm: residents' cards, relatives and their invitations, access grants. */
export * from './resident-card.js';
export * from './relatives.js';
export * from './access-grants.js';
export * from './technician.js';
