/**
 * A device serial, typed or scanned. With the BarcodeDetector API (Chrome on Android, among
 * others) a "Scan" button opens the back camera and reads the label's barcode or QR code; where
 * it is missing, typing is the way. Fires `trygg-serial` with the serial.
 */
import { LitElement, css, html } from 'lit';
import { customElement, query, state } from 'lit/decorators.js';
import { localized, msg } from '@lit/localize';
import { formText } from '../form.js';
import { shared } from '../styles.js';

interface DetectedBarcode {
  rawValue: string;
}
interface BarcodeDetectorLike {
  detect(source: HTMLVideoElement): Promise<DetectedBarcode[]>;
}
type BarcodeDetectorCtor = new (opts?: { formats?: string[] }) => BarcodeDetectorLike;

const detectorCtor = (): BarcodeDetectorCtor | null =>
  (globalThis as unknown as { BarcodeDetector?: BarcodeDetectorCtor }).BarcodeDetector ?? null;

@customElement('trygg-serial-input')
@localized()
export class TryggSerialInput extends LitElement {
  static override styles = [
    shared,
    css`
      form {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: end;
      }
      label {
        display: grid;
        gap: 0.25rem;
        font-weight: 600;
        flex: 1 1 12rem;
      }
      input {
        width: 100%;
        font-size: 1.125rem;
        font-family: ui-monospace, monospace;
      }
      video {
        width: 100%;
        max-height: 40vh;
        background: #000;
        border-radius: 6px;
        margin-top: 0.5rem;
      }
      .hint {
        color: var(--trygg-muted);
        margin: 0.25rem 0 0;
      }
    `,
  ];

  @state() private _scanning = false;
  @state() private _scanError: string | null = null;
  @query('video') private _video?: HTMLVideoElement;
  @query('input') private _input?: HTMLInputElement;
  private _stream: MediaStream | null = null;
  private _timer: ReturnType<typeof setTimeout> | undefined;

  override disconnectedCallback(): void {
    this._stopScan();
    super.disconnectedCallback();
  }

  private _submit(e: SubmitEvent): void {
    e.preventDefault();
    const serial = formText(new FormData(e.target as HTMLFormElement), 'serial').trim();
    if (serial) this._emit(serial);
  }

  private _emit(serial: string): void {
    this.dispatchEvent(new CustomEvent('trygg-serial', { detail: serial, bubbles: true, composed: true }));
  }

  private async _startScan(): Promise<void> {
    const Ctor = detectorCtor();
    if (!Ctor) return;
    this._scanError = null;
    try {
      this._stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
    } catch {
      this._scanError = msg('The camera could not be opened. Type the serial instead.', { id: 'serial.camera-error' });
      return;
    }
    this._scanning = true;
    await this.updateComplete;
    const video = this._video;
    if (!video) return;
    video.srcObject = this._stream;
    await video.play().catch(() => undefined);
    const detector = new Ctor({ formats: ['code_128', 'code_39', 'qr_code', 'data_matrix', 'ean_13'] });
    const look = async (): Promise<void> => {
      if (!this._scanning) return;
      const found = await detector.detect(video).catch(() => []);
      const serial = found[0]?.rawValue.trim();
      if (serial) {
        this._stopScan();
        if (this._input) this._input.value = serial;
        this._emit(serial);
        return;
      }
      this._timer = setTimeout(() => void look(), 250);
    };
    void look();
  }

  private _stopScan(): void {
    clearTimeout(this._timer);
    this._stream?.getTracks().forEach((t) => t.stop());
    this._stream = null;
    this._scanning = false;
  }

  override render() {
    const canScan = detectorCtor() !== null && 'mediaDevices' in navigator;
    return html`
      <form @submit=${this._submit}>
        <label
          >${msg('Serial number', { id: 'serial.label' })}
          <input name="serial" autocomplete="off" autocapitalize="characters" spellcheck="false" required
        /></label>
        <button class="primary" type="submit" data-action="find-serial">${msg('Continue', { id: 'serial.continue' })}</button>
        ${
          canScan
            ? this._scanning
              ? html`<button type="button" @click=${this._stopScan}>${msg('Stop scanning', { id: 'serial.stop' })}</button>`
              : html`<button type="button" data-action="scan" @click=${this._startScan}>
                  ${msg('Scan', { id: 'serial.scan' })}
                </button>`
            : null
        }
      </form>
      ${this._scanning ? html`<video muted playsinline aria-label=${msg('Camera', { id: 'serial.camera' })}></video>` : null}
      ${this._scanError ? html`<p class="hint" role="alert">${this._scanError}</p>` : null}
      ${canScan ? null : html`<p class="hint">${msg('Type the serial from the label.', { id: 'serial.type-hint' })}</p>`}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'trygg-serial-input': TryggSerialInput;
  }
}
