/** Checks whether a TCP port on a host can be bound, so a busy port becomes a clear message instead of EADDRINUSE later. */
import net from 'node:net';
import { ExpectedFailure } from './errors.ts';

export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export async function assertPortFree(port: number, what: string, setting: string, host = '127.0.0.1'): Promise<void> {
  if (!(await isPortFree(port, host))) {
    throw new ExpectedFailure('port_in_use', `port ${port} (${what}) is already in use; free it or set ${setting} to another port`);
  }
}
