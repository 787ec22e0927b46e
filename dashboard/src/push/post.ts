/**
 * One push request (RFC 8030 §5), over node:https — or node:http for an allow-listed local push
 * service — connecting only where the EndpointGuard's lookup allows. Not `fetch`: it cannot be
 * given a lookup without undici's own Agent (not a dependency here), and it follows redirects,
 * which would let an endpoint send the request on to an address nobody checked. Connections are
 * kept alive per push-service host, as a push service expects of a sender.
 */
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';

const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

/** POSTs `body` and resolves with the push service's status; the answer's body is read and dropped. */
export function postPush(
  url: URL,
  headers: Record<string, string>,
  body: Buffer,
  opts: { lookup: LookupFunction | undefined; signal: AbortSignal },
): Promise<number> {
  const secure = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const req = (secure ? https : http).request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(body.length) },
        agent: secure ? agents.https : agents.http,
        signal: opts.signal,
        ...(opts.lookup ? { lookup: opts.lookup } : {}),
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
