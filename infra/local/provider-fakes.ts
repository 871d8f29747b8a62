import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { Channel, Provider } from '../../shared/model/inbound-item.ts';

/**
 * One local HTTP server that fakes the outbound provider APIs the deliver
 * function calls: the Graph Send API and WhatsApp Cloud API (`/graph/...`), Twilio's Messages API
 * (`/twilio/2010-04-01/...`) and AWS End User Messaging `SendTextMessage`
 * (AWS JSON 1.0, recognised by `X-Amz-Target`). It records every call and can
 * be told to fail, for the fault tests and the local hub. 127.0.0.1 only.
 */

export type FakeChannel = 'messenger' | 'twilio' | 'eum' | 'whatsapp' | 'page' | 'bedrock';

/** What each fake stands for in the hub's terms (the local outbox view reads it). */
export const FAKE_PROVIDERS: { readonly [F in FakeChannel]: { readonly channel: Channel; readonly provider: Provider } } = {
  messenger: { channel: 'messenger', provider: 'meta' },
  twilio: { channel: 'sms', provider: 'twilio' },
  eum: { channel: 'sms', provider: 'aws-sms' },
  whatsapp: { channel: 'whatsapp', provider: 'whatsapp' },
  page: { channel: 'facebook-comment', provider: 'meta' },
  /** Not an outbound message: the local outbox view skips it. */
  bedrock: { channel: 'messenger', provider: 'meta' },
};
export type FakeMode = 'ok' | '500' | '429' | 'timeout';

export interface FakeCall {
  readonly channel: FakeChannel;
  /** PSID, comment id (`comment:<id>`), or E.164 number. */
  readonly to: string;
  readonly text: string;
  /** Graph `metadata`, Twilio none, EUM `Context.outboxId`. */
  readonly metadata?: string;
  /** The outbox id, where the request carried one. */
  readonly outboxId?: string;
  /** HTTP status the fake answered (0 when it never answered: timeout mode). */
  readonly status: number;
  readonly at: string;
  /** The parsed request: JSON for Graph and EUM, the form fields for Twilio. */
  readonly body: Record<string, unknown>;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

export interface ProviderFakes {
  readonly url: string;
  /** Point the senders at the fakes (merge into process.env or a function's env). */
  readonly env: Record<string, string>;
  calls(channel?: FakeChannel): FakeCall[];
  /** Successful calls only (2xx). */
  delivered(channel?: FakeChannel): FakeCall[];
  reset(): void;
  setMode(mode: FakeMode): void;
  /** The next `count` calls answer `status` (e.g. 400, 500, 429), optionally with a provider error code (Twilio 21610, Graph 551). */
  failNext(count: number, status: number, code?: number): void;
  /** The next Bedrock Converse answers: the categories the fake model reports through its tool (default: none). */
  answerModel(...answers: { categories: string[]; reason?: string }[]): void;
  /** Page state the Graph fake keeps: hidden and deleted comment ids, blocked user ids. */
  page(): { hidden: string[]; deleted: string[]; blocked: string[] };
  stop(): Promise<void>;
}

type ParsedCall = Omit<FakeCall, 'status' | 'at' | 'headers'>;
type ModelAnswer = { categories: string[]; reason?: string };

/** What the fakes remember between requests; `reset()` empties it. */
interface FakeState {
  calls: FakeCall[];
  mode: FakeMode;
  modelAnswers: ModelAnswer[];
  readonly pageState: { hidden: Set<string>; deleted: Set<string>; blocked: Set<string> };
  readonly failures: { status: number; code?: number }[];
  /** Requests held open in timeout mode. */
  readonly hanging: Set<ServerResponse>;
}

export async function startProviderFakes(): Promise<ProviderFakes> {
  const state: FakeState = {
    calls: [],
    mode: 'ok',
    modelAnswers: [],
    pageState: { hidden: new Set(), deleted: new Set(), blocked: new Set() },
    failures: [],
    hanging: new Set(),
  };
  const server = createServer((req, res) => {
    readBody(req)
      .then((raw) => handle(state, req, res, raw))
      .catch(() => {
        res.statusCode = 500;
        res.end();
      });
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
  return controls(state, server, `http://127.0.0.1:${port}`);
}

function controls(state: FakeState, server: Server, url: string): ProviderFakes {
  const dropHanging = (): void => {
    for (const res of state.hanging) res.socket?.destroy();
    state.hanging.clear();
  };
  return {
    url,
    env: {
      GRAPH_API_BASE_URL: `${url}/graph/v25.0`,
      TWILIO_API_BASE_URL: `${url}/twilio`,
      AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2: url,
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: url,
    },
    calls: (channel) => state.calls.filter((c) => !channel || c.channel === channel),
    delivered: (channel) => state.calls.filter((c) => (!channel || c.channel === channel) && c.status >= 200 && c.status < 300),
    reset() {
      state.calls = [];
      state.modelAnswers = [];
      for (const set of Object.values(state.pageState)) set.clear();
      state.mode = 'ok';
      state.failures.length = 0;
      dropHanging();
    },
    setMode(next) {
      state.mode = next;
      if (next !== 'timeout') dropHanging();
    },
    answerModel(...answers) {
      state.modelAnswers.push(...answers);
    },
    page: () => ({ hidden: [...state.pageState.hidden], deleted: [...state.pageState.deleted], blocked: [...state.pageState.blocked] }),
    failNext(count, status, code) {
      for (let i = 0; i < count; i++) state.failures.push(code === undefined ? { status } : { status, code });
    },
    stop() {
      dropHanging();
      return new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

/** Records the call and answers as the provider would: held open, a programmed failure, 401 without credentials, or success. */
function handle(state: FakeState, req: IncomingMessage, res: ServerResponse, raw: string): void {
  const call = parseCall(req, raw);
  if (!call) {
    res.statusCode = 404;
    res.end();
    return;
  }
  const record = (status: number): void => {
    state.calls.push({ ...call, status, at: new Date().toISOString(), headers: req.headers });
  };
  if (state.mode === 'timeout') {
    record(0);
    state.hanging.add(res);
    res.on('close', () => state.hanging.delete(res));
    return;
  }
  const failure = state.failures.shift() ?? (state.mode === '500' ? { status: 500 } : state.mode === '429' ? { status: 429 } : undefined);
  if (failure) {
    record(failure.status);
    answerError(call.channel, res, failure.status, failure.code);
    return;
  }
  if (checkAuth(call.channel, req)) {
    record(401);
    answerError(call.channel, res, 401, call.channel === 'twilio' ? 20003 : 190);
    return;
  }
  record(call.channel === 'twilio' ? 201 : 200);
  if (call.channel === 'page') {
    applyPageAction(state.pageState, call.metadata ?? '', call.to);
    json(res, 200, call.metadata === 'public-note' ? { id: `${call.to}_${randomUUID().slice(0, 8)}` } : { success: true });
    return;
  }
  if (call.channel === 'bedrock') {
    json(res, 200, converseAnswer(state.modelAnswers.shift() ?? { categories: [] }));
    return;
  }
  answerOk(call, res);
}

const GRAPH_SEND_PATH = /^\/graph\/[^/]+\/[^/]+\/messages$/;

/** Which provider API the request is for, and what it asks to send; undefined for anything the fakes do not know (404). */
function parseCall(req: IncomingMessage, raw: string): ParsedCall | undefined {
  const url = new URL(req.url ?? '/', 'http://fake');
  if (String(req.headers['x-amz-target'] ?? '') === 'PinpointSMSVoiceV2.SendTextMessage') return eumCall(parseJson(raw));
  if (req.method === 'POST' && GRAPH_SEND_PATH.test(url.pathname)) {
    const body = parseJson(raw);
    return body.messaging_product === 'whatsapp' ? whatsappCall(body) : messengerCall(body);
  }
  if (req.method === 'POST' && /^\/model\/[^/]+\/converse$/.test(url.pathname)) {
    const body = parseJson(raw);
    return { channel: 'bedrock', to: decodeURIComponent(url.pathname.split('/')[2] ?? ''), text: JSON.stringify(body.messages ?? []), body };
  }
  if (/^\/graph\/[^/]+\/[^/]+(?:\/(?:blocked|comments))?$/.test(url.pathname) && (req.method === 'POST' || req.method === 'DELETE')) {
    return pageCall(req.method, url.pathname, raw);
  }
  if (req.method === 'POST' && /^\/twilio\/2010-04-01\/Accounts\/[^/]+\/Messages\.json$/.test(url.pathname)) {
    const body = Object.fromEntries(new URLSearchParams(raw));
    return { channel: 'twilio', to: body.To ?? '', text: body.Body ?? '', body };
  }
  return undefined;
}

/** An End User Messaging SendTextMessage (AWS JSON 1.0); the outbox id travels in `Context`. */
function eumCall(body: Record<string, unknown>): ParsedCall {
  const context = (body.Context ?? {}) as Record<string, unknown>;
  return {
    channel: 'eum',
    to: String(body.DestinationPhoneNumber ?? ''),
    text: String(body.MessageBody ?? ''),
    ...(typeof context.outboxId === 'string' ? { metadata: context.outboxId, outboxId: context.outboxId } : {}),
    body,
  };
}

/** A Messenger Send API call: to a PSID, or a private reply to a comment (`comment:<id>`). */
function messengerCall(body: Record<string, unknown>): ParsedCall {
  const recipient = (body.recipient ?? {}) as Record<string, unknown>;
  const message = (body.message ?? {}) as Record<string, unknown>;
  const metadata = typeof body.metadata === 'string' ? body.metadata : undefined;
  return {
    channel: 'messenger',
    to: typeof recipient.comment_id === 'string' ? `comment:${recipient.comment_id}` : String(recipient.id ?? ''),
    text: String(message.text ?? ''),
    ...(metadata ? { metadata, outboxId: metadata.replace(/^hub:/, '') } : {}),
    body,
  };
}

/** A Page moderation call (hide, unhide, delete, block, public note), recorded with the action as its text. */
function pageCall(method: string, pathname: string, raw: string): ParsedCall {
  const body = Object.fromEntries(new URLSearchParams(raw));
  const [, , , object, edge] = pathname.split('/');
  const action =
    method === 'DELETE' ? 'delete' : edge === 'blocked' ? 'block' : edge === 'comments' ? 'public-note' : body.is_hidden === 'false' ? 'unhide' : 'hide';
  return {
    channel: 'page',
    to: edge === 'blocked' ? String(body.user ?? '') : decodeURIComponent(object ?? ''),
    text: action === 'public-note' ? String(body.message ?? '') : action,
    metadata: action,
    body,
  };
}

/** A WhatsApp Cloud API send: free text, or a template recorded as `template:<name> <variables>`. */
function whatsappCall(body: Record<string, unknown>): ParsedCall {
  const text = (body.text ?? {}) as Record<string, unknown>;
  const template = (body.template ?? undefined) as { name?: unknown; components?: { parameters?: { text?: unknown }[] }[] } | undefined;
  const variables = (template?.components ?? []).flatMap((c) => c.parameters ?? []).map((p) => String(p.text ?? ''));
  const metadata = typeof body.biz_opaque_callback_data === 'string' ? body.biz_opaque_callback_data : undefined;
  return {
    channel: 'whatsapp',
    to: String(body.to ?? ''),
    text: template ? `template:${String(template.name ?? '')} ${variables.join(' ')}`.trim() : String(text.body ?? ''),
    ...(metadata ? { metadata, outboxId: metadata.replace(/^hub:/, '') } : {}),
    body,
  };
}

function applyPageAction(state: { hidden: Set<string>; deleted: Set<string>; blocked: Set<string> }, action: string, id: string): void {
  if (action === 'hide') state.hidden.add(id);
  else if (action === 'unhide') state.hidden.delete(id);
  else if (action === 'delete') state.deleted.add(id);
  else if (action === 'block') state.blocked.add(id);
}

/** A Converse response whose only content is a tool call with the programmed categories. */
function converseAnswer(answer: { categories: string[]; reason?: string }): Record<string, unknown> {
  return {
    output: {
      message: {
        role: 'assistant',
        content: [
          {
            toolUse: {
              toolUseId: `tooluse_${randomUUID().slice(0, 8)}`,
              name: 'record_moderation_assessment',
              input: { categories: answer.categories, reason: answer.reason ?? 'fake model' },
            },
          },
        ],
      },
    },
    stopReason: 'tool_use',
    usage: { inputTokens: 420, outputTokens: 40, totalTokens: 460 },
    metrics: { latencyMs: 1 },
  };
}

function checkAuth(channel: FakeChannel, req: IncomingMessage): boolean {
  const auth = req.headers.authorization ?? '';
  if (channel === 'messenger' || channel === 'whatsapp' || channel === 'page') return !/^Bearer \S+$/.test(auth);
  if (channel === 'twilio') return !/^Basic \S+$/.test(auth);
  return !auth.startsWith('AWS4-HMAC-SHA256');
}

function answerOk(call: ParsedCall, res: ServerResponse): void {
  if (call.channel === 'whatsapp') {
    json(res, 200, { messaging_product: 'whatsapp', contacts: [{ input: call.to, wa_id: call.to }], messages: [{ id: `wamid.${randomUUID()}` }] });
  } else if (call.channel === 'messenger') {
    json(res, 200, { recipient_id: call.to.replace(/^comment:/, 'psid-'), message_id: `m_${randomUUID()}` });
  } else if (call.channel === 'twilio') {
    json(res, 201, { sid: `SM${randomUUID().replace(/-/g, '')}`, status: 'queued', to: call.to, body: call.text });
  } else {
    json(res, 200, { MessageId: randomUUID() }, 'application/x-amz-json-1.0');
  }
}

function answerError(channel: FakeChannel, res: ServerResponse, status: number, code?: number): void {
  if (channel === 'messenger' || channel === 'whatsapp') {
    json(res, status, { error: { message: `(#${code ?? status}) fake failure`, type: 'OAuthException', code: code ?? (status === 429 ? 4 : 2) } });
  } else if (channel === 'twilio') {
    json(res, status, { code: code ?? (status === 429 ? 20429 : 20500), message: 'fake failure', status });
  } else {
    const type =
      status === 429 ? 'ThrottlingException' : status >= 500 ? 'InternalServerException' : status === 403 ? 'AccessDeniedException' : 'ValidationException';
    res.setHeader('x-amzn-ErrorType', type);
    json(res, status, { __type: type, Message: 'fake failure' }, 'application/x-amz-json-1.0');
  }
}

function json(res: ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
  res.statusCode = status;
  res.setHeader('content-type', contentType);
  res.end(JSON.stringify(body));
}

function parseJson(raw: string): Record<string, unknown> {
  try {
    const value = JSON.parse(raw) as unknown;
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
