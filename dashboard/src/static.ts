/** Where the built web app lives, for the server to serve. */
import { fileURLToPath } from 'node:url';

export const DASHBOARD_DIST = fileURLToPath(new URL('../dist', import.meta.url));
