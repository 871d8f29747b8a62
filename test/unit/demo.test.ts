import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reportOrder } from '../../infra/local/demo-report.ts';
import type { ItemView } from '../../infra/local/records.ts';

/** Issue 17 item 12: `npm run demo` when the hub dies mid-run, and the order of its report. */

const ROOT = join(import.meta.dirname, '../..');

describe('npm run demo', () => {
  it('says plainly that the hub stopped, while doing what, and how many examples went, when the hub dies mid-run', async () => {
    // A "hub" that answers the demo's first probe and then goes away.
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', connection: 'close' }).end('[]');
      server.close();
      server.closeAllConnections();
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const port = (server.address() as AddressInfo).port;
    const child = spawn(process.execPath, ['infra/local/demo.ts'], {
      cwd: ROOT,
      env: { ...process.env, HUB_PORT: String(port), HUB_SMTP_PORT: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((done) => child.on('exit', done));
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(
      new RegExp(`^demo: the hub at http://127\\.0\\.0\\.1:${port} stopped answering while sending "[^"]+" \\((connection refused|the connection was dropped)`),
    );
    expect(stderr).toContain('0 of 10 examples were sent');
    expect(stderr).not.toContain('fetch failed');
  }, 30_000);

  it('reports formal items in reference order, then the rest as received', () => {
    const item = (itemId: string, receivedAt: string, ref?: string): ItemView => ({
      itemId,
      receivedAt,
      channel: 'sms',
      classification: ref ? 'formal' : 'informal',
      reasons: [],
      flags: [],
      actions: [],
      events: [],
      outbox: [],
      ...(ref ? { ref } : {}),
    });
    const ordered = reportOrder([
      item('c', '2026-01-05T09:00:03Z'),
      item('b', '2026-01-05T09:00:01Z', 'DEM-2026-000012'),
      item('a', '2026-01-05T09:00:05Z', 'DEM-2026-000011'),
      item('d', '2026-01-05T09:00:02Z'),
    ]);
    expect(ordered.map((i) => i.itemId)).toEqual(['a', 'b', 'd', 'c']);
  });
});
