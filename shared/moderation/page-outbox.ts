import type { OutboxMessage } from '../model/index.ts';
import type { Policy } from '../policy/schema.ts';
import type { PageActionSpec } from './page-plan.ts';

/**
 * Outbox messages that act on the Facebook Page. They travel the outbox
 * queue like every other outbound message, so a Graph outage delays an
 * action and never loses it, and deliver's idempotency on the id makes each
 * happen once. Ids: `${itemId}:page-<action>:<by>` and `${itemId}:public-note`.
 */

export function composePageAction(input: {
  readonly policy: Policy;
  readonly itemId: string;
  readonly ref: string;
  readonly createdAt: string;
  readonly by: 'policy' | 'clerk';
  readonly spec: PageActionSpec;
}): OutboxMessage {
  const { spec } = input;
  return {
    schemaVersion: 1,
    id: `${input.itemId}:page-${spec.action}:${input.by}`,
    kind: 'page-action',
    channel: 'facebook-comment',
    to: spec.commentId,
    council: input.policy.council.id,
    itemId: input.itemId,
    ref: input.ref,
    text: `${spec.action} (${spec.clause})`,
    pageAction: {
      action: spec.action,
      ...(spec.authorId ? { authorId: spec.authorId } : {}),
      clause: spec.clause,
      categories: [...spec.categories],
      by: input.by,
    },
    createdAt: input.createdAt,
  };
}

/** The optional public statement under the post (withyham.txt §6.13 "The Council may post a statement …"): resident-facing, so outbound budgets count it. */
export function composePublicNote(input: {
  readonly policy: Policy;
  readonly itemId: string;
  readonly ref: string;
  readonly postId: string;
  readonly text: string;
  readonly createdAt: string;
}): OutboxMessage {
  return {
    schemaVersion: 1,
    id: `${input.itemId}:public-note`,
    kind: 'public-note',
    channel: 'facebook-comment',
    to: input.postId,
    council: input.policy.council.id,
    itemId: input.itemId,
    ref: input.ref,
    text: input.text,
    createdAt: input.createdAt,
  };
}
