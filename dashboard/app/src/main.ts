/**
 * Entry point. The language is loaded before the app is defined, so the first screen is
 * already in the operator's language instead of flashing English.
 */
import { unlockAudioOnGesture } from './alert-sound.js';
import { startLocale } from './i18n.js';

unlockAudioOnGesture();
document.body.dataset.connected = 'false';

void startLocale()
  .catch(() => undefined) // English is still better than no app
  .then(() => import('./elements/trygg-app.js'));
