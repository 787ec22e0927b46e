/**
 * The live connection of the staff and relative apps (socket.io namespace `/people`). It carries
 * only "one of your alarms changed"; the host then reloads through the REST API, which filters
 * to the person's own alarms. Every (re)connect reloads too, so nothing missed while offline
 * stays missed, and the host shows "connection lost — reconnecting" meanwhile.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { io, type Socket } from 'socket.io-client';
import type { PeopleServerToClientEvents } from '@trygg/alarm-core';
import type { ConnectionState } from './live-controller.js';

export class PeopleLiveController implements ReactiveController {
  connection: ConnectionState = 'connecting';
  private socket: Socket<PeopleServerToClientEvents> | null = null;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly token: () => string,
    /** Reload what the view shows. */
    private readonly reload: () => void,
    private readonly onUnauthorized: () => void,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    const socket: Socket<PeopleServerToClientEvents> = io('/people', {
      path: '/socket.io',
      // Asked at every (re)connect: a renewed session's token, not the one it started with.
      auth: (cb) => cb({ token: this.token() }),
      transports: ['websocket'],
    });
    this.socket = socket;
    socket.on('connect', () => {
      this.set('connected');
      this.reload();
    });
    socket.on('disconnect', (reason) => {
      this.set('lost');
      if (reason === 'io server disconnect') setTimeout(() => socket.connect(), 3000);
    });
    socket.on('connect_error', (err: Error & { data?: { code?: string } }) => {
      if ((err.data?.code ?? err.message) === 'TRYGG_ERR_UNAUTHENTICATED') {
        this.onUnauthorized();
        return;
      }
      this.set('lost');
      if (!socket.active) setTimeout(() => socket.connect(), 3000);
    });
    socket.on('alarm:changed', () => this.reload());
  }

  hostDisconnected(): void {
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    this.socket = null;
    document.body.dataset.connected = 'false';
  }

  private set(state: ConnectionState): void {
    this.connection = state;
    document.body.dataset.connected = state === 'connected' ? 'true' : 'false';
    this.host.requestUpdate();
  }
}
