import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A local hub of the load run's own: `infra/local/start.ts` as a child
 * process on free ports (HUB_PORT=0, HUB_SMTP_PORT=0) with a temporary
 * HUB_DATA_DIR, read from its `ready` line, stopped with SIGTERM at the end.
 */

export interface OwnHub {
  readonly httpPort: number;
  readonly smtpPort: number;
  readonly dataDir: string;
  stop(): Promise<void>;
}

export async function startOwnHub(root: string, env: NodeJS.ProcessEnv = process.env, timeoutMs = 60_000): Promise<OwnHub> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hub-load-'));
  const child: ChildProcess = spawn(process.execPath, [join(root, 'infra/local/start.ts')], {
    cwd: root,
    env: { ...env, HUB_PORT: '0', HUB_SMTP_PORT: '0', HUB_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    if (stderr.length > 20_000) stderr = stderr.slice(-10_000);
  });
  const ports = await new Promise<{ http: number; smtp: number }>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`the hub did not print ready within ${timeoutMs / 1000} s`)), timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const ready = /ready: accepting traffic on http:\/\/[^:]+:(\d+) and smtp:\/\/[^:]+:(\d+)/.exec(stdout);
      if (ready) {
        clearTimeout(timer);
        resolve({ http: Number(ready[1]), smtp: Number(ready[2]) });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the hub exited with code ${code} before it was ready: ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
  // Keep draining its output so a chatty hub never blocks on a full pipe.
  child.stdout!.resume();
  return {
    httpPort: ports.http,
    smtpPort: ports.smtp,
    dataDir,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(force);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
