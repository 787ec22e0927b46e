/**
 * Entry point. The language is loaded before the app is defined, so the first screen is
 * already in the operator's language instead of flashing English.
 */
import { unlockAudioOnGesture } from './alert-sound.js';
import { startLocale } from './i18n.js';
import { registerServiceWorker } from './push-setup.js';

unlockAudioOnGesture();
registerServiceWorker();
document.body.dataset.connected = 'false';

void startLocale()
  .catch(() => undefined) // English is still better than no app
  .then(() => import('./elements/trygg-app.js'));
