/**
 * The technician's live line: a socket.io connection that receives `installation-test:update`
 * (a test started, passed or failed) for as long as the host is on the page. A test's result
 * is also fetched over REST by the host, so a missed message only delays, never hides, a result.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, InstallationTest, ServerToClientEvents } from '@trygg/alarm-core';

type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export class TestLiveController implements ReactiveController {
  connected = false;
  private socket: LiveSocket | null = null;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly token: string,
    private readonly onTest: (test: InstallationTest) => void,
    private readonly onReconnect: () => void,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    const socket: LiveSocket = io({ path: '/socket.io', auth: { token: this.token }, transports: ['websocket'] });
    this.socket = socket;
    socket.on('connect', () => {
      this.set(true);
      // Anything that happened while away is read again over REST.
      this.onReconnect();
    });
    socket.on('disconnect', () => this.set(false));
    socket.on('connect_error', () => this.set(false));
    socket.on('installation-test:update', (t) => this.onTest(t));
  }

  hostDisconnected(): void {
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    this.socket = null;
    this.set(false);
  }

  private set(connected: boolean): void {
    this.connected = connected;
    document.body.dataset.techConnected = String(connected);
    this.host.requestUpdate();
  }
}
