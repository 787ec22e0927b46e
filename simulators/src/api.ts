/**
 * A small REST client for the simulator. Built on node:http (not fetch) so a simulated person can
 * call from their own loopback address (127.0.1.x): sign-in is rate-limited per address, and many
 * people signing in from one address is not what the service sees in real life.
 */
import http from 'node:http';

export interface ApiAnswer<T> {
  status: number;
  body: T;
}

export class Api {
  readonly host: string;
  readonly port: number;
  private readonly agent: http.Agent;
  constructor(
    readonly baseUrl: string,
    private readonly localAddress?: string,
  ) {
    const u = new URL(baseUrl);
    this.host = u.hostname;
    this.port = Number(u.port || 80);
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  }

  /** The same service, called from another local address (only when the service is on loopback). */
  from(localAddress: string | undefined): Api {
    return new Api(this.baseUrl, isLoopback(this.host) ? localAddress : undefined);
  }

  request<T>(
    method: string,
    path: string,
    token: string | null,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<ApiAnswer<T>> {
    const payload = body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body);
    return this.send<T>(method, path, token, payload, contentType, true);
  }

  /**
   * One request. A kept-alive socket the service closed as idle just as the request went out
   * fails with ECONNRESET before any answer: the request never reached the service, so it is
   * sent once more on a new socket (what Node's documentation advises, `request.reusedSocket`).
   */
  private send<T>(
    method: string,
    path: string,
    token: string | null,
    payload: string | null,
    contentType: string,
    mayRetry: boolean,
  ): Promise<ApiAnswer<T>> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: this.host,
          port: this.port,
          path,
          method,
          agent: this.agent,
          ...(this.localAddress ? { localAddress: this.localAddress } : {}),
          headers: {
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...(payload === null ? {} : { 'content-type': contentType, 'content-length': Buffer.byteLength(payload) }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = text ? JSON.parse(text) : null;
            } catch {
              // not JSON: keep the text for the error message
            }
            resolve({ status: res.statusCode ?? 0, body: parsed as T });
          });
          res.on('error', reject);
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (mayRetry && req.reusedSocket && err.code === 'ECONNRESET') {
          this.send<T>(method, path, token, payload, contentType, false).then(resolve, reject);
        } else reject(err);
      });
      req.setTimeout(120_000, () => req.destroy(new Error(`${method} ${path}: no answer in 120 s`)));
      if (payload !== null) req.write(payload);
      req.end();
    });
  }

  /** Like `request`, but anything other than 2xx is an error naming the route and the answer. */
  async call<T>(method: string, path: string, token: string | null, body?: unknown, contentType?: string): Promise<T> {
    const res = await this.request<T>(method, path, token, body, contentType);
    if (res.status < 200 || res.status > 299) {
      const b = res.body as { code?: string; message?: string } | null;
      throw new Error(
        `${method} ${path}: ${res.status} ${b?.code ?? ''} ${b?.message ?? JSON.stringify(res.body).slice(0, 300)}`,
      );
    }
    return res.body;
  }

  async login(username: string, password: string): Promise<{ token: string; user: { userId: string; name: string } }> {
    return this.call('POST', '/api/auth/login', null, { username, password });
  }

  close(): void {
    this.agent.destroy();
  }
}

export const isLoopback = (host: string) => host === 'localhost' || host.startsWith('127.') || host === '::1';

/** The i-th of a range of loopback source addresses (127.0.1.1 …), each its own "address" to the service. */
export const loopbackAddress = (i: number) => `127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`;

/** Runs `fn` over `items` with at most `limit` at once; results in order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i] as T, i);
      }
    }),
  );
  return out;
}
