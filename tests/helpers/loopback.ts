import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** A loopback HTTP server standing in for a book, a provider or an alert channel. */
export interface LoopbackServer {
  server: Server;
  /** `http://127.0.0.1:<port>` */
  base: string;
}

/** Listen on a free loopback port; `handle` gets each request once its body is read whole. */
export async function loopbackServer(
  handle: (req: IncomingMessage, res: ServerResponse, body: string) => void,
): Promise<LoopbackServer> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => handle(req, res, body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, base: `http://127.0.0.1:${(server.address() as { port: number }).port}` };
}
