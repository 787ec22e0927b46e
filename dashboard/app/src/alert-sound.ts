/**
 * The short beep for a new alarm, made with the Web Audio API so there is no sound file to
 * load. Browsers only allow audio after a user gesture, so the context is created on the first
 * click or key press (signing in is one); until then, and wherever audio is refused, it is silent.
 */
let context: AudioContext | null = null;

function ensureContext(): AudioContext | null {
  try {
    context ??= new AudioContext();
    if (context.state === 'suspended') void context.resume().catch(() => undefined);
    return context;
  } catch {
    return null;
  }
}

/** Call once at start: unlocks audio on the first gesture. */
export function unlockAudioOnGesture(): void {
  const unlock = (): void => {
    ensureContext();
    window.removeEventListener('pointerdown', unlock, true);
    window.removeEventListener('keydown', unlock, true);
  };
  window.addEventListener('pointerdown', unlock, true);
  window.addEventListener('keydown', unlock, true);
}

let lastBeep = 0;

/** Two short tones. Several alarms at once give one beep, not a cacophony. */
export function beep(): void {
  const now = Date.now();
  if (now - lastBeep < 1000) return;
  lastBeep = now;
  try {
    const ctx = ensureContext();
    if (!ctx || ctx.state !== 'running') return;
    const t0 = ctx.currentTime;
    for (const [offset, freq] of [
      [0, 880],
      [0.22, 1175],
    ] as const) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = 'sine';
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, t0 + offset);
      gain.gain.exponentialRampToValueAtTime(0.3, t0 + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t0 + offset + 0.18);
      osc.connect(gain).connect(ctx.destination);
      osc.start(t0 + offset);
      osc.stop(t0 + offset + 0.2);
    }
  } catch {
    // An alert that cannot sound must never break the queue.
  }
}
