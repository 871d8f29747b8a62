import type { AuditEventType, OutboxMessage } from '../model/index.ts';
import { escapeHtml, PAGE_HEADERS, page } from '../pipeline/consent-page.ts';
import type { Policy } from '../policy/schema.ts';
import { LINK_ACTIONS, signModerationLink, verifyModerationLink, type LinkAction, type ModerationLinkClaims } from './clerk-link.ts';
import { composePageAction } from './page-outbox.ts';
import { OPS_PREFIX } from '../store/keys.ts';

/**
 * `GET|POST /moderation/{token}`: the clerk's one-click links. GET only shows
 * what the link will do, with one button, because mail scanners and link
 * previews fetch every GET link in an email; the button POSTs back to the
 * same link, which acts. Each link acts once: the first POST claims
 * `MODLINK#<tokenId>`; the audit event and the outbox message after it are
 * idempotent, so a crash part-way is finished by pressing the button again,
 * and any later press is told the link was already used.
 */

export interface ClerkActionDeps {
  readonly policy: Policy;
  readonly ops: {
    get(key: string): Promise<Record<string, unknown> | undefined>;
    claim(key: string, options: { ttlSeconds: number; value?: Record<string, unknown> }): Promise<{ claimed: boolean; existing?: Record<string, unknown> }>;
    put(key: string, value: Record<string, unknown>, options?: { ttlSeconds?: number }): Promise<void>;
  };
  readonly audit: {
    append(input: { ref: string; itemId: string; type: AuditEventType; at: string; data: Record<string, unknown>; eventKey: string }): Promise<unknown>;
  };
  readonly publish: (messages: OutboxMessage[]) => Promise<unknown>;
  readonly signingKey: string;
  readonly now: () => Date;
}

export interface LinkRequest {
  readonly method: string;
  readonly token: string;
}

export interface LinkResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

const LABEL: Record<LinkAction, string> = {
  hide: 'Hide the comment',
  unhide: 'Unhide the comment',
  delete: 'Delete the comment',
  block: 'Block the author from the Page',
};
const DONE: Record<LinkAction, string> = {
  hide: 'The comment is being hidden on the Facebook Page.',
  unhide: 'The comment is being made visible again on the Facebook Page.',
  delete: 'The comment is being deleted from the Facebook Page.',
  block: 'The author is being blocked from the Facebook Page.',
};

/** Links for the routing email, one per action, each expiring after the policy's linkExpiryHours. */
export function clerkLinks(input: {
  readonly policy: Policy;
  readonly baseUrl: string;
  readonly signingKey: string;
  readonly now: Date;
  readonly specs: readonly Omit<ModerationLinkClaims, 'exp' | 'council'>[];
}): { action: LinkAction; label: string; url: string }[] {
  const hours = input.policy.pageModeration?.linkExpiryHours ?? 72;
  const exp = Math.floor(input.now.getTime() / 1000) + hours * 3600;
  return input.specs.map((spec) => ({
    action: spec.action,
    label: LABEL[spec.action],
    url: `${input.baseUrl.replace(/\/+$/, '')}/moderation/${signModerationLink({ ...spec, council: input.policy.council.id, exp }, input.signingKey)}`,
  }));
}

export async function handleModerationLink(req: LinkRequest, deps: ClerkActionDeps): Promise<LinkResponse> {
  const council = deps.policy.council.name;
  const answer = (statusCode: number, title: string, content: string): LinkResponse => ({
    statusCode,
    headers: { ...PAGE_HEADERS },
    body: page(title, council, content),
  });
  if (req.method !== 'GET' && req.method !== 'POST')
    return { ...answer(405, 'Not allowed', '<h1>This link only opens in a browser</h1>'), headers: { ...PAGE_HEADERS, allow: 'GET, POST' } };
  const check = verifyModerationLink(req.token, deps.signingKey, deps.now());
  if (!check.ok) {
    return check.reason === 'expired'
      ? answer(
          410,
          'Link expired',
          '<h1>This link has expired</h1><p>Act on the comment from the Facebook Page itself, or ask for the item to be sent again.</p>',
        )
      : answer(404, 'Link not recognised', '<h1>This link is not recognised</h1><p>Check that the whole link was copied from the email.</p>');
  }
  const { claims, tokenId } = check;
  if (claims.council !== deps.policy.council.id) return answer(404, 'Link not recognised', '<h1>This link is not recognised</h1>');
  const key = `${OPS_PREFIX.moderationLink}${tokenId}`;
  const used = `<h1>This link has already been used</h1><p>Each link works once. The action it asked for is recorded in the audit trail under reference <strong>${escapeHtml(claims.ref)}</strong>.</p>`;

  if (req.method === 'GET') {
    const state = (await deps.ops.get(key))?.state;
    if (state === 'done') return answer(410, 'Already used', used);
    return answer(
      200,
      LABEL[claims.action],
      `<h1>${escapeHtml(LABEL[claims.action])}?</h1><p>Reference <strong>${escapeHtml(claims.ref)}</strong>. Flagged under ${escapeHtml(claims.clause)}.</p><form method="post"><button type="submit">${escapeHtml(LABEL[claims.action])}</button></form><p>Nothing happens until you press the button.</p>`,
    );
  }

  const ttlSeconds = Math.max(86_400, claims.exp - Math.floor(deps.now().getTime() / 1000) + 86_400);
  const claim = await deps.ops.claim(key, { ttlSeconds, value: { state: 'acting', ref: claims.ref, action: claims.action } });
  if (!claim.claimed && claim.existing?.state === 'done') return answer(410, 'Already used', used);

  const at = deps.now().toISOString();
  const message = composePageAction({
    policy: deps.policy,
    itemId: claims.itemId,
    ref: claims.ref,
    createdAt: at,
    by: 'clerk',
    spec: {
      action: claims.action,
      commentId: claims.commentId,
      ...(claims.authorId ? { authorId: claims.authorId } : {}),
      clause: claims.clause,
      categories: [],
    },
  });
  await deps.audit.append({
    ref: claims.ref,
    itemId: claims.itemId,
    type: 'page-action-requested',
    at,
    data: { action: claims.action, by: 'clerk', clause: claims.clause, outboxId: message.id },
    eventKey: `${claims.itemId}:page-action-requested:clerk:${claims.action}`,
  });
  await deps.publish([message]);
  await deps.ops.put(key, { state: 'done', ref: claims.ref, action: claims.action, at }, { ttlSeconds });
  return answer(
    200,
    'Done',
    `<h1>${escapeHtml(DONE[claims.action])}</h1><p>Reference <strong>${escapeHtml(claims.ref)}</strong>. It is recorded in the audit trail with ${escapeHtml(claims.clause)}.</p>`,
  );
}

export { LINK_ACTIONS };
