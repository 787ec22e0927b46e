/**
 * What the staff and relative apps show: one REST view of the person's own alarms, loaded again
 * whenever the people stream says one of them changed (and on every reconnect), the commands the
 * person sends from it, and the error and busy state both apps display.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { errorMessage, signalUnauthorized } from './api.js';
import { PeopleLiveController } from './people-live.js';
import { sendPeopleCommand, type CommandDetail } from './people-commands.js';

export class PeopleView<T> implements ReactiveController {
  view: T | null = null;
  error = '';
  busy = false;
  readonly live: PeopleLiveController;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly token: () => string,
    /** Loads the view (a data module's call: the staff overview, the relative's alarms). */
    private readonly fetch: (token: string) => Promise<T>,
  ) {
    host.addController(this);
    this.live = new PeopleLiveController(
      host,
      token,
      () => void this.load(),
      () => signalUnauthorized(),
    );
  }

  hostConnected(): void {
    // The live controller loads on connect; nothing else to open here.
  }

  async load(): Promise<void> {
    try {
      this.view = await this.fetch(this.token());
      this.error = '';
    } catch (err) {
      this.error = errorMessage(err);
    }
    this.host.requestUpdate();
  }

  /** Sends a person's command (accept, decline, arrived, resolve), then shows the view as it now is. */
  async command(detail: CommandDetail): Promise<void> {
    this.busy = true;
    this.host.requestUpdate();
    try {
      await sendPeopleCommand(this.token(), detail);
      this.error = '';
    } catch (err) {
      this.error = errorMessage(err);
    } finally {
      this.busy = false;
      await this.load();
    }
  }
}
