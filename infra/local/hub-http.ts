import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StartupError } from './errors.ts';

/** API Gateway HTTP APIs accept request bodies up to 10 MB. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

export type LocalRoute = (req: IncomingMessage, res: ServerResponse, body: Buffer) => Promise<void>;

export interface HttpFront {
  readonly port: number;
  /** Start answering with `route` (503 "The hub is starting" until then). */
  serve(route: LocalRoute): void;
  /** Back to 503 while the hub stops. */
  pause(): void;
  close(): Promise<void>;
}

/**
 * The local API Gateway's listening side: 413 over 10 MB, 503 until the hub
 * is ready, 500 when a route throws. Bound first in start(), so a port in use
 * is reported before anything else starts.
 */
export async function startHttpFront(port: number, logger: { warn(message: string): void }): Promise<HttpFront> {
  let route: LocalRoute | undefined;
  const http = createServer((req, res) => {
    readBody(req)
      .then(async (body) => {
        if (body === undefined) return send(res, 413, { message: 'Request Entity Too Large' });
        if (!route) return send(res, 503, { message: 'The hub is starting' });
        await route(req, res, body);
      })
      .catch((error: unknown) => {
        logger.warn(`http: ${(error as Error).message}`);
        if (!res.headersSent) send(res, 500, { message: 'Internal Server Error' });
      });
  });
  const httpPort = await listen(http, port, 'HUB_PORT');
  return {
    port: httpPort,
    serve: (next) => {
      route = next;
    },
    pause: () => {
      route = undefined;
    },
    close: () => closeServer(http),
  };
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooBig = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooBig ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function send(res: ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
  const payload = typeof body === 'string' ? body : JSON.stringify(body, null, 2);
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  res.end(payload);
}

function listen(server: Server, port: number, name: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error) => reject(portError(error, name, port)));
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

export function portError(error: unknown, name: string, port: number): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return new StartupError(`${name} ${port} is already in use (another hub running?); set ${name} to a free port`);
  if (code === 'EACCES') return new StartupError(`${name} ${port} needs privileges; use a port above 1023`);
  return error as Error;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}
