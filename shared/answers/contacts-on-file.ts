import type { Policy } from '../policy/schema.ts';
import type { AuditStore } from '../store/audit-store.ts';
import { contactsInText } from './compose-answer.ts';

/**
 * The "other contact on file" when a Messenger answer can no longer be sent
 * (issue 13). What the hub holds for the resident: the text of this item and
 * of the other items it keeps under the same sender hash (the same Messenger
 * account: a resident who gave an email address last week need not repeat
 * it). The hub keeps no link between a Messenger account and an email address
 * or phone number, so items the same person sent on other channels cannot be
 * found from here; docs/clerk.md says so.
 */

export interface ContactOnFile {
  readonly value: string;
  /** `this message`, or the other item's reference and day. */
  readonly source: string;
}

export interface ContactsOnFile {
  readonly contacts: readonly ContactOnFile[];
  /** How many other items of the same sender were read. */
  readonly otherItems: number;
}

/** The newest items read; bounded so one answer costs a handful of reads. */
const MAX_OTHER_ITEMS = 20;
const MAX_CONTACTS = 5;

export async function contactsOnFile(ref: string, deps: { readonly audit: AuditStore; readonly policy: Policy }): Promise<ContactsOnFile> {
  const [content, summary] = await Promise.all([deps.audit.getContent(ref), deps.audit.getSummary(ref)]);
  const found: ContactOnFile[] = [];
  if (content?.content) found.push(...contactsInText(content.content.text).map((value) => ({ value, source: 'this message' })));
  const others = summary ? await otherItemsOf(summary.senderHash, ref, deps.audit) : [];
  for (const other of others) {
    const text = (await deps.audit.getContent(other.ref))?.content?.text;
    if (text) found.push(...contactsInText(text).map((value) => ({ value, source: `${other.ref}, ${other.day}` })));
  }
  const ours = councilAddresses(deps.policy);
  const seen = new Set<string>();
  const contacts = found.filter((c) => !ours.has(c.value.toLowerCase()) && !seen.has(c.value.toLowerCase()) && seen.add(c.value.toLowerCase()));
  return { contacts: contacts.slice(0, MAX_CONTACTS), otherItems: others.length };
}

/** The sender's other items whose content is still held, newest first. */
async function otherItemsOf(senderHash: string, ref: string, audit: AuditStore): Promise<{ ref: string; day: string }[]> {
  const items: { ref: string; day: string; receivedAt: string }[] = [];
  for await (const s of audit.listSummaries({ senderHash })) {
    if (s.ref !== ref && !s.erased) items.push({ ref: s.ref, day: s.day, receivedAt: s.receivedAt });
  }
  return items.sort((a, b) => b.receivedAt.localeCompare(a.receivedAt)).slice(0, MAX_OTHER_ITEMS);
}

/** A resident quoting the clerk's address is not giving a contact of their own. */
function councilAddresses(policy: Policy): Set<string> {
  const c = policy.contacts;
  return new Set(
    [c.clerk, c.deputyClerk, c.enquiries, ...(c.otherOfficial ?? [])]
      .filter((a) => a !== undefined)
      .map((a) => a.address.toLowerCase())
      .concat(c.hubAddresses.map((a) => a.toLowerCase())),
  );
}

/** The clerk's notice line. */
export function contactsOnFileLine(found: ContactsOnFile): string {
  const searched = `the hub looked in this message and ${found.otherItems === 0 ? 'found no other item' : `${found.otherItems} other item${found.otherItems === 1 ? '' : 's'}`} from the same Messenger account; it keeps no link between a Messenger account and an email address or phone number`;
  return found.contacts.length
    ? `Email addresses and phone numbers found in this resident's messages (check each is theirs, since a message may quote someone else's): ${found.contacts.map((c) => `${c.value} (${c.source})`).join(', ')} (${searched}).`
    : `No email address or phone number was found in this resident's messages (${searched}): you can answer when they next write on Messenger.`;
}
