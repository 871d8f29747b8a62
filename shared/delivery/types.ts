import type { OutboxMessage } from '../model/index.ts';
import type { Secrets } from '../runtime/secrets.ts';

/** What a channel sender needs from the outside world; tests pass their own. */
export interface SendContext {
  readonly now: Date;
  readonly env: NodeJS.ProcessEnv;
  readonly secrets: () => Promise<Secrets>;
  /** Abort a provider call after this long (then the message is retried through the queue). */
  readonly timeoutMs: number;
}

export type SendResult =
  | { readonly status: 'sent'; readonly provider: string; readonly providerMessageId?: string }
  /** Not sent on purpose (e.g. outside the Messenger window); recorded, never retried. */
  | { readonly status: 'skipped'; readonly provider: string; readonly reason: string };

export type Sender = (msg: OutboxMessage, ctx: SendContext) => Promise<SendResult>;

/** Which sender answers a message (the channel registry picks it). */
export type { SenderId } from '../channels/registry.ts';
