import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import PostalMime from 'postal-mime';
import type { SQSEvent } from 'aws-lambda';
import { FAKE_PROVIDERS, type FakeCall } from './provider-fakes.ts';
import type { Provider } from '../../shared/model/inbound-item.ts';
import { CorruptDataError } from './errors.ts';
import { parseHeaders } from './smtp.ts';

/**
 * The local outbox view (`GET /local/outbox`): every message the hub actually
 * handed to a provider. The provider fakes record Messenger, Twilio and End
 * User Messaging calls; SES sends are captured on their way to the SES
 * emulator (whose store drops the headers). Each send is joined to the
 * OutboxMessage the deliver function consumed, for its kind and reference,
 * and appended to HUB_DATA_DIR/outbox.jsonl, so the view survives a restart.
 */

export interface OutboxEntry {
  /** The outbox message id (deterministic: item id + kind) where known, else the provider's id. */
  readonly id: string;
  readonly channel: string;
  readonly provider: Provider;
  readonly to: string;
  readonly kind: string;
  readonly subject?: string;
  readonly text: string;
  readonly ref?: string;
  readonly itemId?: string;
  /** Email only: the headers a clerk or resident would reply and thread by. */
  readonly from?: string;
  readonly replyTo?: string;
  readonly messageId?: string;
  readonly inReplyTo?: string;
  readonly autoSubmitted?: string;
  readonly at: string;
}

/** The fields of an OutboxMessage the view needs, read loosely off the queue. */
interface QueuedMessage {
  readonly id: string;
  readonly kind: string;
  readonly channel: string;
  readonly to: string;
  readonly text: string;
  readonly subject?: string;
  readonly ref?: string;
  readonly itemId?: string;
}

export class OutboxLog {
  private readonly entries: OutboxEntry[] = [];
  private readonly ids = new Set<string>();
  private readonly queued = new Map<string, QueuedMessage>();
  private readonly file: string;

  constructor(file: string) {
    this.file = file;
    if (!existsSync(file)) return;
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, index) => {
      if (line.trim() === '') return;
      try {
        const entry = JSON.parse(line) as OutboxEntry;
        if (typeof entry.id !== 'string' || typeof entry.channel !== 'string') throw new Error('not an entry');
        this.entries.push(entry);
        this.ids.add(entry.id);
      } catch {
        if (index >= lines.length - 2) return; // a torn last line after a crash
        throw new CorruptDataError(`${file} line ${index + 1} is not an outbox entry`);
      }
    });
  }

  all(): readonly OutboxEntry[] {
    return this.entries;
  }

  /** Remember the OutboxMessages of a batch the deliver function is about to consume. */
  noteQueued(event: SQSEvent): void {
    for (const record of event.Records) {
      try {
        const m = JSON.parse(record.body) as Partial<QueuedMessage>;
        if (typeof m.id === 'string' && typeof m.kind === 'string' && typeof m.to === 'string') {
          this.queued.set(m.id, m as QueuedMessage);
        }
      } catch {
        // not an outbox message; deliver will say so
      }
    }
  }

  /** Record one successful provider call, joined to its queued message. */
  addFakeCall(call: FakeCall): void {
    // Model calls are not outbound messages.
    if (call.status < 200 || call.status >= 300 || call.channel === 'bedrock') return;
    const { channel: fakeChannel, provider } = FAKE_PROVIDERS[call.channel];
    const to = call.to.replace(/^comment:/, '');
    const queued =
      (call.outboxId ? this.queued.get(call.outboxId) : undefined) ??
      this.findQueued((m) => m.to === to && m.text === call.text) ??
      (call.channel === 'page' ? this.findQueued((m) => m.kind === 'page-action' && m.text.startsWith(`${call.text} (`)) : undefined);
    const channel = queued?.channel ?? (call.to.startsWith('comment:') ? 'facebook-comment' : fakeChannel);
    this.add({
      id: queued?.id ?? call.outboxId ?? `${call.channel}:${call.at}:${to}`,
      channel,
      provider,
      to,
      kind: queued?.kind ?? 'unknown',
      text: call.text,
      ...(queued?.ref ? { ref: queued.ref } : {}),
      ...(queued?.itemId ? { itemId: queued.itemId } : {}),
      at: call.at,
    });
  }

  addEmail(email: CapturedEmail): void {
    const queued =
      (email.outboxId ? this.queued.get(email.outboxId) : undefined) ??
      this.findQueued((m) => m.channel === 'email' && email.to.includes(m.to) && (m.subject === undefined || m.subject === email.subject));
    const ref = email.ref ?? queued?.ref;
    this.add({
      id: email.outboxId ?? queued?.id ?? `ses:${email.sesMessageId}`,
      channel: 'email',
      provider: 'ses',
      to: email.to.join(', '),
      kind: email.kind ?? queued?.kind ?? 'unknown',
      ...(email.subject !== undefined ? { subject: email.subject } : {}),
      text: email.text,
      ...(ref ? { ref } : {}),
      ...(queued?.itemId ? { itemId: queued.itemId } : {}),
      ...email.threading,
      at: email.at,
    });
  }

  private findQueued(test: (m: QueuedMessage) => boolean): QueuedMessage | undefined {
    for (const m of this.queued.values()) if (test(m) && !this.ids.has(m.id)) return m;
    return undefined;
  }

  private add(entry: OutboxEntry): void {
    if (this.ids.has(entry.id)) return; // a redelivered outbox message the provider saw twice
    this.ids.add(entry.id);
    this.queued.delete(entry.id);
    this.entries.push(entry);
    appendFileSync(this.file, `${JSON.stringify(entry)}\n`);
  }
}

export interface CapturedEmail {
  readonly sesMessageId: string;
  readonly to: string[];
  readonly subject?: string;
  readonly text: string;
  readonly kind?: string;
  readonly ref?: string;
  readonly outboxId?: string;
  readonly threading?: Pick<OutboxEntry, 'from' | 'replyTo' | 'messageId' | 'inReplyTo' | 'autoSubmitted'>;
  readonly at: string;
}

/**
 * A pass-through proxy in front of the SES emulator that reports every
 * accepted SendEmail (SES v2 `POST /v2/email/outbound-emails`, Simple or Raw).
 */
export async function startSesCapture(target: string, onEmail: (email: CapturedEmail) => void): Promise<{ url: string; close(): Promise<void> }> {
  const upstream = new URL(target);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const forward = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
        const answer: Buffer[] = [];
        up.on('data', (c: Buffer) => answer.push(c));
        up.on('end', () => {
          const response = Buffer.concat(answer);
          res.writeHead(up.statusCode ?? 502, up.headers);
          res.end(response);
          if (req.method === 'POST' && req.url?.startsWith('/v2/email/outbound-emails') && up.statusCode === 200) {
            void captured(body, response).then(onEmail, () => undefined);
          }
        });
      });
      forward.on('error', () => {
        res.statusCode = 502;
        res.end();
      });
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface SendEmailRequest {
  Destination?: { ToAddresses?: string[]; CcAddresses?: string[] };
  Content?: {
    Simple?: {
      Subject?: { Data?: string };
      Body?: { Text?: { Data?: string }; Html?: { Data?: string } };
      Headers?: { Name: string; Value: string }[];
    };
    Raw?: { Data?: string };
  };
}

async function captured(requestBody: Buffer, responseBody: Buffer): Promise<CapturedEmail> {
  const request = JSON.parse(requestBody.toString('utf8')) as SendEmailRequest;
  const { MessageId } = JSON.parse(responseBody.toString('utf8')) as { MessageId: string };
  const at = new Date().toISOString();
  const header = (headers: { name: string; value: string }[], name: string) => headers.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;
  if (request.Content?.Raw?.Data) {
    const raw = Buffer.from(request.Content.Raw.Data, 'base64');
    const { headers } = parseHeaders(raw);
    const parsed = await PostalMime.parse(raw);
    const to = [...(request.Destination?.ToAddresses ?? []), ...(parsed.to ?? []).map((a) => ('address' in a && a.address ? a.address : '')).filter(Boolean)];
    return hubFields(
      {
        sesMessageId: MessageId,
        to: [...new Set(to)],
        ...(parsed.subject !== undefined ? { subject: parsed.subject } : {}),
        text: parsed.text ?? '',
        at,
      },
      (name) => header(headers, name),
    );
  }
  const simple = request.Content?.Simple;
  const headers = (simple?.Headers ?? []).map((h) => ({ name: h.Name, value: h.Value }));
  return hubFields(
    {
      sesMessageId: MessageId,
      to: request.Destination?.ToAddresses ?? [],
      ...(simple?.Subject?.Data !== undefined ? { subject: simple.Subject.Data } : {}),
      text: simple?.Body?.Text?.Data ?? simple?.Body?.Html?.Data ?? '',
      at,
    },
    (name) => header(headers, name),
  );
}

function hubFields(email: CapturedEmail, header: (name: string) => string | undefined): CapturedEmail {
  const kind = header('X-Hub-Kind');
  const ref = header('X-Hub-Ref');
  const outboxId = header('X-Hub-Outbox-Id');
  const threading = Object.fromEntries(
    (
      [
        ['from', 'From'],
        ['replyTo', 'Reply-To'],
        ['messageId', 'Message-ID'],
        ['inReplyTo', 'In-Reply-To'],
        ['autoSubmitted', 'Auto-Submitted'],
      ] as const
    )
      .map(([field, name]) => [field, header(name)] as const)
      .filter(([, value]) => value !== undefined),
  );
  return { ...email, ...(kind ? { kind } : {}), ...(ref ? { ref } : {}), ...(outboxId ? { outboxId } : {}), threading };
}
