import type { AuditEventType, Decision, InboundItem, OutboxMessage } from '../model/index.ts';
import type { Policy } from '../policy/schema.ts';
import { clerkLinks } from './clerk-actions.ts';
import { countOffence, type OffenceStore } from './offenders.ts';
import { composePageAction, composePublicNote } from './page-outbox.ts';
import { pageCategories, planPageModeration } from './page-plan.ts';

/**
 * classify's part in acting on the Page: count the offence, record every
 * action the policy takes at once (`page-action-requested`, with its clause,
 * before it is enqueued), and give the clerk's routing email its lines and
 * signed links. Returns nothing for items the policy does not act on.
 */

export interface PageModerationOutcome {
  readonly messages: OutboxMessage[];
  readonly routing: { readonly lines: string[]; readonly links: { label: string; url: string }[] };
}

export interface PageClassifyDeps {
  readonly policy: Policy;
  readonly ops: OffenceStore;
  readonly event: (type: AuditEventType, data: Record<string, unknown>, suffix: string) => Promise<unknown>;
  readonly signingKey: string;
  readonly baseUrl: string;
}

const DONE_LINE: Record<string, string> = {
  hide: 'Hidden at once (reversibly) under the policy',
  block: 'The author was blocked under the policy (repeat offender)',
};

export async function moderatePageComment(
  item: InboundItem,
  decision: Decision,
  ref: string,
  senderHash: string,
  decidedAt: string,
  deps: PageClassifyDeps,
): Promise<PageModerationOutcome | undefined> {
  const { policy } = deps;
  const page = policy.pageModeration;
  const { hide, askClerk } = pageCategories(item, decision, policy);
  if (!page || hide.length + askClerk.length === 0) return undefined;
  const offences = await countOffence(deps.ops, senderHash, item.itemId, decidedAt, page.repeatOffenders.windowDays);
  const plan = planPageModeration(item, decision, policy, offences)!;

  const messages: OutboxMessage[] = [];
  const lines: string[] = [];
  for (const spec of plan.immediate) {
    const message = composePageAction({ policy, itemId: item.itemId, ref, createdAt: decidedAt, by: 'policy', spec });
    await deps.event(
      'page-action-requested',
      { action: spec.action, by: 'policy', clause: spec.clause, categories: spec.categories, outboxId: message.id },
      `page-action-requested:policy:${spec.action}`,
    );
    messages.push(message);
    lines.push(`${DONE_LINE[spec.action] ?? spec.action} (${spec.clause}).`);
  }
  if (plan.publicNote) {
    const note = composePublicNote({ policy, itemId: item.itemId, ref, postId: plan.publicNote.postId, text: plan.publicNote.text, createdAt: decidedAt });
    await deps.event(
      'page-action-requested',
      { action: 'public-note', by: 'policy', clause: plan.publicNote.clause, outboxId: note.id },
      'page-action-requested:policy:public-note',
    );
    messages.push(note);
    lines.push(`The policy's statement is posted under the post: "${plan.publicNote.text}" (${plan.publicNote.clause}).`);
  }
  if (askClerk.length) lines.push(`Waiting for you: ${askClerk.join(', ')} (the policy leaves the action to the Clerk).`);
  lines.push(`This author's breaching comments in the last ${page.repeatOffenders.windowDays} days: ${plan.offences}.`);
  if (plan.blockSuggested)
    lines.push(`REPEAT OFFENDER: ${plan.offences} breaches reach the policy's ${page.repeatOffenders.threshold}; blocking is suggested (${page.clause}).`);
  lines.push(`Each link below works once and expires in ${page.linkExpiryHours} hours.`);
  const links = clerkLinks({
    policy,
    baseUrl: deps.baseUrl,
    signingKey: deps.signingKey,
    now: new Date(decidedAt),
    specs: plan.clerkLinks.map((s) => ({
      ref,
      itemId: item.itemId,
      action: s.action,
      commentId: s.commentId,
      ...(s.authorId ? { authorId: s.authorId } : {}),
      clause: s.clause,
    })),
  });
  return { messages, routing: { lines, links } };
}
