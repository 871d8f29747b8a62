import type { AuditEvent, AuditSummary } from '../../shared/model/index.ts';
import { londonDay } from '../../shared/runtime/london-time.ts';
import type { AuditStore } from '../../shared/store/audit-store.ts';
import type { OpsStore } from '../../shared/store/ops-store.ts';
import type { OutboxEntry } from './outbox.ts';

/**
 * What the hub did with each recent item, read back from the stores the
 * pipeline writes (audit summaries, events and content for audited items;
 * the minimal ops log for informal and ignored ones) and joined to the
 * outbox log. Feeds the home page and `GET /local/items`.
 */

export interface ReasonView {
  readonly rule: string;
  readonly clause: string;
  readonly detail?: string;
}

export interface ItemView {
  readonly itemId: string;
  readonly ref?: string;
  readonly channel: string;
  readonly classification: string;
  readonly receivedAt: string;
  readonly consentStatus?: string;
  readonly reasons: readonly ReasonView[];
  readonly flags: readonly { readonly category: string; readonly clause: string; readonly action: string }[];
  readonly actions: readonly string[];
  /** Audited items only: the personal content kept with the record (absent once erased). */
  readonly sender?: string;
  readonly subject?: string;
  readonly text?: string;
  readonly events: readonly { readonly type: string; readonly at: string }[];
  /** Mailchimp: the audience event (subscribe, unsubscribe, …) from the consent-ledger event. */
  readonly audienceEvent?: string;
  readonly outbox: readonly OutboxEntry[];
}

export interface RecordSources {
  readonly audit: AuditStore;
  readonly ops: OpsStore;
  readonly outbox: readonly OutboxEntry[];
  /** How many Europe/London days of informal logs to read. */
  readonly days?: number;
  readonly limit?: number;
  readonly now?: Date;
}

export async function listItems(sources: RecordSources): Promise<ItemView[]> {
  const items: ItemView[] = [];
  const outboxFor = (itemId: string, ref?: string) => sources.outbox.filter((e) => e.itemId === itemId || (ref !== undefined && e.ref === ref));

  const summaries: AuditSummary[] = [];
  for await (const summary of sources.audit.listSummaries()) summaries.push(summary);
  for (const summary of summaries) {
    const [events, content] = await Promise.all([sources.audit.eventsFor(summary.ref), sources.audit.getContent(summary.ref)]);
    const classified = events.find((e) => e.type === 'classified');
    const audienceEvent = events.find((e) => e.type === 'consent-ledger' && typeof e.data.audienceEvent === 'string')?.data.audienceEvent as string | undefined;
    const person = content?.content;
    items.push({
      itemId: summary.itemId,
      ref: summary.ref,
      channel: summary.channel,
      classification: summary.classification,
      receivedAt: summary.receivedAt,
      consentStatus: summary.consentStatus,
      reasons: reasonsOf(classified?.data.reasons),
      flags: flagsOf(classified?.data.flags),
      actions: stringsOf(classified?.data.actions),
      ...(person ? { sender: person.sender.name ? `${person.sender.name} <${person.sender.id}>` : person.sender.id } : {}),
      ...(person?.subject !== undefined ? { subject: person.subject } : {}),
      ...(person ? { text: person.text } : {}),
      events: events.map((e: AuditEvent) => ({ type: e.type, at: e.at })),
      ...(audienceEvent ? { audienceEvent } : {}),
      outbox: outboxFor(summary.itemId, summary.ref),
    });
  }

  const audited = new Set(items.map((i) => i.itemId));
  const now = sources.now ?? new Date();
  for (let back = 0; back < (sources.days ?? 7); back++) {
    const day = londonDay(new Date(now.getTime() - back * 86_400_000).toISOString());
    for (const entry of await sources.ops.listMinimalLogs(day)) {
      if (audited.has(entry.itemId)) continue;
      items.push({
        itemId: entry.itemId,
        channel: entry.channel,
        classification: entry.classification,
        receivedAt: entry.receivedAt,
        reasons: reasonsOf(entry.reasons),
        flags: [],
        actions: stringsOf(entry.actions),
        events: [],
        outbox: outboxFor(entry.itemId),
      });
    }
  }

  items.sort((a, b) => (a.receivedAt < b.receivedAt ? 1 : a.receivedAt > b.receivedAt ? -1 : 0));
  return items.slice(0, sources.limit ?? 100);
}

function reasonsOf(value: unknown): ReasonView[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter((r): r is Record<string, unknown> => typeof r === 'object' && r !== null)
    .map((r) => ({
      rule: String(r.rule ?? ''),
      clause: String(r.clause ?? ''),
      ...(typeof r.detail === 'string' ? { detail: r.detail } : {}),
    }));
}

function flagsOf(value: unknown): ItemView['flags'] {
  if (!Array.isArray(value)) return [];
  return value
    .filter((f): f is Record<string, unknown> => typeof f === 'object' && f !== null)
    .map((f) => ({ category: String(f.category ?? ''), clause: String(f.clause ?? ''), action: String(f.action ?? '') }));
}

function stringsOf(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.map((v) => (typeof v === 'string' ? v : typeof v === 'object' && v !== null && 'type' in v ? String(v.type) : String(v)));
}
