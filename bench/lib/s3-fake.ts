import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Minimal path-style S3 (PUT/GET/HEAD/DELETE object, x-amz-meta-* metadata) so
 * ses-inbound and mandrill-intake can read what was stored; counts requests by method.
 */
export async function startS3Fake(): Promise<{
  url: string;
  objects: Map<string, Buffer>;
  metadata: Map<string, Record<string, string>>;
  counts: Map<string, number>;
  stop(): Promise<void>;
}> {
  const objects = new Map<string, Buffer>();
  const metadata = new Map<string, Record<string, string>>();
  const counts = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const key = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.slice(1));
      const op = req.method === 'PUT' ? 'PutObject' : req.method === 'GET' ? 'GetObject' : `${req.method}Object`;
      counts.set(op, (counts.get(op) ?? 0) + 1);
      if (req.method === 'DELETE') {
        objects.delete(key);
        metadata.delete(key);
        res.writeHead(204).end();
        return;
      }
      if (req.method === 'PUT') {
        objects.set(key, Buffer.concat(chunks));
        metadata.set(key, Object.fromEntries(Object.entries(req.headers).filter(([h]) => h.startsWith('x-amz-meta-')) as [string, string][]));
        res.writeHead(200, { etag: '"bench"' }).end();
        return;
      }
      const body = objects.get(key);
      if (!body) {
        res.writeHead(404, { 'content-type': 'application/xml' }).end('<Error><Code>NoSuchKey</Code><Message>not found</Message></Error>');
        return;
      }
      res.writeHead(200, { 'content-type': 'message/rfc822', 'content-length': String(body.length), etag: '"bench"', ...metadata.get(key) });
      res.end(req.method === 'HEAD' ? undefined : body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    objects,
    metadata,
    counts,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
