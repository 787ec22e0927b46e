/**
 * The peer for the gateway benchmark: aedes with no hooks (no authentication, no ACL, no
 * database), in its own process like the service. Prints `{"port":N}` when listening.
 */
import net from 'node:net';
import { Aedes } from 'aedes';

const broker = await Aedes.createBroker();
const server = net.createServer((socket) => broker.handle(socket));
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: (server.address() as net.AddressInfo).port }) + '\n');
});
process.on('SIGTERM', () => server.close(() => broker.close(() => process.exit(0))));
