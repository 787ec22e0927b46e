/** Relatives: the administrators' list and invitation links, the sign-in by invitation, the relative's own view. */
import { call } from './call.js';

export const fetchRelatives = (token: string) => call('listRelatives', { token });

/** A single-use link (its path, the token in the fragment), shown once. */
export const inviteRelative = (token: string, relativeId: string) =>
  call('inviteRelative', { token, params: { id: relativeId } });

/** The session an invitation's token opens (once). */
export const signInByInvitation = (invitation: string) => call('signInByInvitation', { body: { token: invitation } });

/** The signed-in relative's people and their alarms. */
export const fetchRelativeView = (token: string) => call('relativeAlarms', { token });
