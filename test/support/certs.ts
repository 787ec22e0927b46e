/**
 * Throwaway TLS material made at test time with the `openssl` CLI (never committed): a CA, a
 * server certificate for 127.0.0.1, and client certificates naming devices.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface TestCerts {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  client(cn: string, opts?: { selfSigned?: boolean }): Promise<{ cert: Buffer; key: Buffer }>;
  read(file: string): Promise<Buffer>;
}

export async function makeTestCerts(): Promise<TestCerts> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'trygg-certs-'));
  const f = (name: string) => path.join(dir, name);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const key = (name: string) => ssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', f(name));
  key('ca.key');
  ssl('req', '-x509', '-new', '-key', f('ca.key'), '-subj', '/CN=Trygg test CA', '-days', '2', '-out', f('ca.pem'));
  key('server.key');
  ssl('req', '-new', '-key', f('server.key'), '-subj', '/CN=127.0.0.1', '-out', f('server.csr'));
  await import('node:fs/promises').then((fs) => fs.writeFile(f('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n'));
  ssl(
    'x509',
    '-req',
    '-in',
    f('server.csr'),
    '-CA',
    f('ca.pem'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    f('server.ext'),
    '-out',
    f('server.pem'),
  );
  return {
    dir,
    ca: f('ca.pem'),
    serverCert: f('server.pem'),
    serverKey: f('server.key'),
    read: (file) => readFile(file),
    client: async (cn, opts = {}) => {
      const base = `client-${cn}${opts.selfSigned ? '-self' : ''}`;
      key(`${base}.key`);
      if (opts.selfSigned) {
        ssl('req', '-x509', '-new', '-key', f(`${base}.key`), '-subj', `/CN=${cn}`, '-days', '2', '-out', f(`${base}.pem`));
      } else {
        ssl('req', '-new', '-key', f(`${base}.key`), '-subj', `/CN=${cn}`, '-out', f(`${base}.csr`));
        ssl(
          'x509',
          '-req',
          '-in',
          f(`${base}.csr`),
          '-CA',
          f('ca.pem'),
          '-CAkey',
          f('ca.key'),
          '-CAcreateserial',
          '-days',
          '2',
          '-out',
          f(`${base}.pem`),
        );
      }
      return { cert: await readFile(f(`${base}.pem`)), key: await readFile(f(`${base}.key`)) };
    },
  };
}
