import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import type { HttpRequest, SmtpRequest } from './requests.ts';

/**
 * The two wire clients of the load run. HTTP keeps connections alive (as
 * providers do) and measures from writing the request to the end of the
 * response. SMTP speaks just enough of RFC 5321 to measure the one figure
 * SES receiving's latency is about: from the end of DATA (`.`) to the 250.
 */

export interface HttpResult {
  readonly status: number;
  readonly ms: number;
  readonly error?: string;
}

export function httpSender(baseUrl: string, maxSockets: number) {
  const url = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets });
  const send = (req: HttpRequest): Promise<HttpResult> =>
    new Promise((resolve) => {
      const started = performance.now();
      const body = Buffer.from(req.body, 'utf8');
      const r = request(
        { host: url.hostname, port: url.port, method: 'POST', path: req.path, agent, headers: { ...req.headers, 'content-length': String(body.length) } },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
          res.on('error', (e) => resolve({ status: 0, ms: performance.now() - started, error: e.message }));
        },
      );
      r.on('error', (e) => resolve({ status: 0, ms: performance.now() - started, error: e.message }));
      r.end(body);
    });
  return { send, close: () => agent.destroy() };
}

export interface SmtpResult {
  readonly code: number;
  /** End of DATA to the final reply. */
  readonly ms: number;
  /** SES message id from "250 Ok: queued as <id>", when given. */
  readonly messageId?: string;
  readonly error?: string;
}

export function sendSmtp(host: string, port: number, mail: SmtpRequest, timeoutMs = 30_000): Promise<SmtpResult> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let buffer = '';
    let step = 0;
    let dataSentAt = 0;
    let done = false;
    const finish = (result: SmtpResult) => {
      if (done) return;
      done = true;
      socket.end('QUIT\r\n');
      socket.destroySoon?.();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => {
      finish({ code: 0, ms: dataSentAt ? performance.now() - dataSentAt : 0, error: 'timeout' });
      socket.destroy();
    });
    socket.on('error', (e) => finish({ code: 0, ms: 0, error: e.message }));
    // Dot-stuffing: a line starting with '.' gets another '.'.
    const body = mail.data.replace(/\r\n\./g, '\r\n..');
    const script: (() => string)[] = [
      () => 'EHLO load.example\r\n',
      () => `MAIL FROM:<${mail.from}>\r\n`,
      () => `RCPT TO:<${mail.to}>\r\n`,
      () => 'DATA\r\n',
      () => {
        dataSentAt = performance.now();
        return `${body}\r\n.\r\n`;
      },
    ];
    const expected = [220, 250, 250, 250, 354, 250];
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      // A reply is complete at a line "NNN text" (a space after the code, not a '-').
      for (;;) {
        const match = /^(\d{3}) [^\r\n]*\r\n/m.exec(buffer);
        if (!match) return;
        const reply = buffer.slice(0, match.index + match[0].length);
        buffer = buffer.slice(match.index + match[0].length);
        const code = Number(match[1]);
        if (code !== expected[step]) {
          finish({ code, ms: dataSentAt ? performance.now() - dataSentAt : 0, error: reply.trim().slice(0, 200) });
          return;
        }
        if (step === script.length) {
          const id = /queued as ([a-z0-9]+)/i.exec(reply)?.[1];
          finish({ code, ms: performance.now() - dataSentAt, ...(id ? { messageId: id } : {}) });
          return;
        }
        socket.write(script[step]!());
        step++;
      }
    });
  });
}
