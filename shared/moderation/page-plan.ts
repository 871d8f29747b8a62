import type { Decision, InboundItem } from '../model/index.ts';
import type { Policy } from '../policy/schema.ts';
import type { LinkAction } from './clerk-link.ts';

/**
 * What the hub does on the Facebook Page about a flagged comment (withyham.txt
 * §6.13, stilton.txt §8), from the policy's per-category `page` setting:
 * `hide` hides it at once (reversibly), `ask-clerk` leaves it to the clerk's
 * one-click links, `none` leaves it. Pure: classify records and enqueues it.
 */

export type PageActionName = LinkAction;

export interface PageActionSpec {
  readonly action: PageActionName;
  readonly commentId: string;
  readonly authorId?: string;
  /** The clauses of the flags that called for it and of the page-moderation rule. */
  readonly clause: string;
  readonly categories: readonly string[];
}

export interface PagePlan {
  /** Done now through the outbox (retried like deliveries). */
  readonly immediate: readonly PageActionSpec[];
  /** Offered to the clerk as signed links in the routing email. */
  readonly clerkLinks: readonly PageActionSpec[];
  /** Comment the policy's policyBreachNotice under the post (optional, withyham.txt §6.13 "may post"). */
  readonly publicNote?: { readonly postId: string; readonly text: string; readonly clause: string };
  readonly blockSuggested: boolean;
  /** Breaching comments by this author within the window, this one included. */
  readonly offences: number;
}

/** Categories whose policy rule asks for a page action on this item, if it is a Page comment. */
export function pageCategories(item: InboundItem, decision: Pick<Decision, 'flags'>, policy: Policy): { hide: string[]; askClerk: string[] } {
  const out = { hide: [] as string[], askClerk: [] as string[] };
  if (item.channel !== 'facebook-comment' || !policy.pageModeration) return out;
  for (const f of decision.flags) {
    const page = policy.moderation.find((r) => r.category === f.category)?.page ?? 'none';
    if (page === 'hide') out.hide.push(f.category);
    else if (page === 'ask-clerk') out.askClerk.push(f.category);
  }
  return out;
}

export function planPageModeration(item: InboundItem, decision: Pick<Decision, 'flags'>, policy: Policy, offences: number): PagePlan | undefined {
  const page = policy.pageModeration;
  const { hide, askClerk } = pageCategories(item, decision, policy);
  if (!page || hide.length + askClerk.length === 0) return undefined;
  const commentId = item.providerMessageId.replace(/:add$/, '');
  const authorId = item.sender.id || undefined;
  const clauseOf = (categories: readonly string[]) =>
    [...new Set([...decision.flags.filter((f) => categories.includes(f.category)).map((f) => f.clause), page.clause])].join('; ');
  const all = [...hide, ...askClerk];
  const spec = (action: PageActionName, categories: readonly string[]): PageActionSpec => ({
    action,
    commentId,
    ...(authorId ? { authorId } : {}),
    clause: clauseOf(categories),
    categories,
  });

  const immediate: PageActionSpec[] = hide.length ? [spec('hide', hide)] : [];
  const repeat = authorId !== undefined && offences >= page.repeatOffenders.threshold;
  if (repeat && page.repeatOffenders.block === 'auto') immediate.push(spec('block', all));
  const clerkLinks = (['hide', 'unhide', 'delete', 'block'] as const).filter((a) => a !== 'block' || authorId).map((a) => spec(a, all));
  const postId = item.thread.postId;
  return {
    immediate,
    clerkLinks,
    ...(page.publicNote && hide.length && postId ? { publicNote: { postId, text: policy.texts.policyBreachNotice, clause: page.clause } } : {}),
    blockSuggested: repeat && page.repeatOffenders.block === 'suggest',
    offences,
  };
}
