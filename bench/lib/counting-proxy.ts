import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';

/**
 * A counting HTTP proxy in front of one emulator: every AWS request the
 * handlers make is counted by operation (X-Amz-Target, the Query `Action`, or
 * the REST method and path) with its payload bytes. For DynamoDB it asks the
 * emulator for the consumed capacity (dynalite computes it from item sizes;
 * it does not check signatures, so adding the field is harmless).
 */

export interface OpCount {
  count: number;
  requestBytes: number;
  responseBytes: number;
  /** DynamoDB only: capacity units the emulator reported (1 assumed for a failed conditional write). */
  capacityUnits: number;
  errors: number;
}

export interface CountingProxy {
  readonly url: string;
  readonly counts: Map<string, OpCount>;
  /** Raw DynamoDB write request bodies seen since the last reset (for GSI accounting). */
  readonly writes: { op: string; body: string; units: number }[];
  reset(): void;
  stop(): Promise<void>;
}

export async function startCountingProxy(target: string, service: string): Promise<CountingProxy> {
  const upstream = new URL(target);
  const counts = new Map<string, OpCount>();
  const writes: CountingProxy['writes'] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      let body = await readAll(req);
      const op = operationOf(req, body);
      if (service === 'dynamodb' && body.length > 0) {
        try {
          const json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
          if (!json.ReturnConsumedCapacity || json.ReturnConsumedCapacity === 'NONE') {
            json.ReturnConsumedCapacity = 'TOTAL';
            body = Buffer.from(JSON.stringify(json));
          }
        } catch {
          // not JSON: forward unchanged
        }
      }
      const headers = { ...req.headers, host: upstream.host, 'content-length': String(body.length) };
      const upstreamReq = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, (upstreamRes) => {
        void readAll(upstreamRes).then((answer) => {
          const entry = counts.get(op) ?? { count: 0, requestBytes: 0, responseBytes: 0, capacityUnits: 0, errors: 0 };
          entry.count++;
          entry.requestBytes += body.length;
          entry.responseBytes += answer.length;
          const status = upstreamRes.statusCode ?? 500;
          if (status >= 400) entry.errors++;
          if (service === 'dynamodb') {
            const units = status < 400 ? capacityOf(answer) : /Write|Put|Update|Delete/.test(op) ? 1 : 0;
            entry.capacityUnits += units;
            if (/PutItem|UpdateItem|DeleteItem|BatchWriteItem/.test(op)) writes.push({ op, body: body.toString('utf8'), units });
          }
          counts.set(op, entry);
          res.writeHead(status, upstreamRes.headers);
          res.end(answer);
        });
      });
      upstreamReq.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      upstreamReq.end(body);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    writes,
    reset() {
      counts.clear();
      writes.length = 0;
    },
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function operationOf(req: Pick<IncomingMessage, 'headers' | 'method' | 'url'>, body: Buffer): string {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') return target.split('.').pop() ?? target;
  const type = String(req.headers['content-type'] ?? '');
  if (type.includes('x-www-form-urlencoded')) {
    const action = new URLSearchParams(body.toString('utf8')).get('Action');
    if (action) return action;
  }
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  if (/\/outbound-emails$/.test(path)) return 'SendEmail';
  return `${req.method} ${path.replace(/\/[^/]+$/, '/…')}`;
}

function capacityOf(answer: Buffer): number {
  try {
    const json = JSON.parse(answer.toString('utf8')) as { ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[] };
    const c = json.ConsumedCapacity;
    if (Array.isArray(c)) return c.reduce((s, x) => s + (x.CapacityUnits ?? 0), 0);
    return c?.CapacityUnits ?? 0;
  } catch {
    return 0;
  }
}

function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

export interface EmulatorInfo {
  dynamodbEndpoint: string;
  sqsEndpoint: string;
  sesEndpoint: string;
  tableNames: Record<'audit' | 'ops', string>;
  queueUrls: Record<'inbound' | 'outbox', string>;
  dlqUrls: Record<'inbound' | 'outbox', string>;
  env: Record<string, string>;
}

export interface EmulatorProcess {
  readonly info: EmulatorInfo;
  readonly child: ChildProcess;
  /** CPU time (user + system) the emulator process has used so far. */
  cpuMs(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Starts infra/local/emulators.ts in a child process (same Node binary);
 * resolves with its endpoints. With `dynamodbPath`, DynamoDB is kept on disk
 * there, as the local hub keeps it.
 */
export async function startEmulatorProcess(root: string, prefix: string, dynamodbPath?: string): Promise<EmulatorProcess> {
  const child = spawn(process.execPath, [`${root}/bench/lib/emulator-child.ts`, prefix, ...(dynamodbPath ? [dynamodbPath] : [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Never leave an emulator process behind, whatever happens to the bench.
  const killChild = () => child.kill('SIGTERM');
  process.once('exit', killChild);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines = createInterface({ input: child.stdout! });
  const info = await new Promise<EmulatorInfo>((resolve, reject) => {
    lines.once('line', (line) => resolve(JSON.parse(line) as EmulatorInfo));
    child.once('exit', (code) => reject(new Error(`emulator process exited ${code}: ${stderr.slice(0, 300)}`)));
  });
  return {
    info,
    child,
    cpuMs: () =>
      new Promise((resolve) => {
        lines.once('line', (line) => resolve((JSON.parse(line) as { cpuMs: number }).cpuMs));
        child.kill('SIGUSR2');
      }),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
