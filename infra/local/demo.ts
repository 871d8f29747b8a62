import { randomUUID } from 'node:crypto';
import { reportOrder, stoppedMessage } from './demo-report.ts';
import { ruleName } from './home.ts';
import type { ItemView } from './records.ts';
import {
  eumSms,
  mailchimpUnsubscribe,
  mandrillInbound,
  messengerComment,
  messengerMessage,
  smtpEmail,
  targetFromEnv,
  twilioSms,
  whatsappMessage,
  type HubTarget,
} from './traffic.ts';

/**
 * `npm run demo`: realistic, signed traffic on every channel to a running
 * local hub (`npm start` in another terminal; same HUB_PORT, HUB_SMTP_PORT and
 * secrets), then what the hub did with each item, read back from
 * `GET /local/items`. Every run uses fresh provider ids, so nothing is
 * deduplicated away.
 */

const COUNCIL_CLERK = 'clerk@demo-parish.example.org.uk';
const OUR_SMS_NUMBER = '+447700900123';

interface Step {
  readonly label: string;
  send(target: HubTarget, run: string): Promise<{ status: number } | string>;
}

const steps: Step[] = [
  {
    label: 'Messenger message asking about the next meeting',
    send: (t, run) => messengerMessage(t, '6543210987654321', `m_demo_${run}_1`, 'Hello, when is the next parish council meeting? Is it open to the public?'),
  },
  {
    label: 'Facebook comment alleging the council broke the law',
    send: (t, run) =>
      messengerComment(
        t,
        '7788990011223344',
        'Jane Smith',
        `987654321098765_${run}`,
        'The council broke the law by deciding the allotment rents in a secret meeting. This is illegal and a breach of the code of conduct.',
      ),
  },
  {
    label: 'Email (SMTP) to the clerk: a formal request',
    send: (t) =>
      smtpEmail(t, {
        from: 'resident@example.co.uk',
        fromName: 'Alex Resident',
        to: COUNCIL_CLERK,
        subject: 'Overgrown hedge on Mill Road blocking the footpath',
        text: 'Dear Clerk,\n\nThe hedge outside 14 Mill Road has grown across the footpath and pushchairs have to use the road. Please could the council ask the owner to cut it back?\n\nYours sincerely,\nAlex Resident\n14 Church Lane',
      }),
  },
  {
    label: 'Email (SMTP) that is an automatic out-of-office reply',
    send: (t) =>
      smtpEmail(t, {
        from: 'busy.resident@example.co.uk',
        fromName: 'Busy Resident',
        to: COUNCIL_CLERK,
        subject: 'Automatic reply: Parish newsletter',
        text: 'I am away until Monday with limited access to email.',
        headers: { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' },
      }),
  },
  {
    label: 'Mailchimp audience: a resident unsubscribes from the newsletter',
    send: (t) => mailchimpUnsubscribe(t, 'newsletter.reader@example.co.uk', new Date().toISOString().slice(0, 19).replace('T', ' ')),
  },
  {
    label: 'Mandrill inbound email to the enquiries address',
    send: (t, run) =>
      mandrillInbound(t, {
        from: 'allotments@example.co.uk',
        fromName: 'Sam Grower',
        to: 'enquiries@demo-parish.example.org.uk',
        subject: 'Allotment waiting list',
        text: 'Please add me to the allotment waiting list. I live on Station Road.',
        messageId: `<demo-${run}@mail.example.co.uk>`,
      }),
  },
  {
    label: 'SMS (Twilio) reporting a missed bin collection',
    send: (t, run) => twilioSms(t, '+447700900456', OUR_SMS_NUMBER, 'Bin not collected on Elm Close again this week', `SM${run.padEnd(32, '0')}`),
  },
  {
    label: 'SMS (Twilio) STOP',
    send: (t, run) => twilioSms(t, '+447700900789', OUR_SMS_NUMBER, 'STOP', `SM${run.padEnd(31, '0')}1`),
  },
  {
    label: 'WhatsApp message about a fallen tree',
    send: (t, run) => whatsappMessage(t, '447700900654', `wamid.demo_${run}`, 'A tree has come down across the footpath by the village hall'),
  },
  {
    label: 'SMS (AWS End User Messaging) about a street light',
    send: (t) => eumSms(t, '+447700900321', OUR_SMS_NUMBER, 'Street light out at the bus stop on High St', randomUUID()),
  },
];

async function main(): Promise<void> {
  const target = targetFromEnv();
  const run = randomUUID().replace(/-/g, '').slice(0, 16);
  const startedAt = new Date(Date.now() - 1000).toISOString();

  try {
    await fetch(`${target.baseUrl}/local/items`);
  } catch {
    throw new Error(`no hub at ${target.baseUrl}: start it first with \`npm start\` (same HUB_PORT)`);
  }

  console.log(`Sending one example on every channel to ${target.baseUrl} (SMTP ${target.smtpHost}:${target.smtpPort})\n`);
  let sent = 0;
  const stopped = (doing: string, error: unknown) => new Error(stoppedMessage({ baseUrl: target.baseUrl, doing, sent, total: steps.length, error }));
  for (const step of steps) {
    let result: Awaited<ReturnType<Step['send']>>;
    try {
      result = await step.send(target, run);
    } catch (error) {
      throw stopped(`sending "${step.label}"`, error);
    }
    sent += 1;
    const outcome = typeof result === 'string' ? `SMTP ${result.split(' ')[0]}` : `HTTP ${result.status}`;
    console.log(`  sent  ${step.label.padEnd(64)} ${outcome}`);
  }

  console.log('\nWaiting for the pipeline (classify, audit, deliver)…');
  let items: ItemView[];
  try {
    items = await settle(target, startedAt, steps.length);
  } catch (error) {
    throw stopped('the demo waited for the results', error);
  }
  console.log(`\nWhat the hub did (${items.length} items, formal ones in reference order; the home page ${target.baseUrl}/ shows the same):\n`);
  for (const item of reportOrder(items)) console.log(describe(item));
}

async function settle(target: HubTarget, since: string, expected: number): Promise<ItemView[]> {
  let last = '';
  let stableSince = Date.now();
  const deadline = Date.now() + 30_000;
  for (;;) {
    const items = ((await (await fetch(`${target.baseUrl}/local/items`)).json()) as ItemView[]).filter((i) => i.receivedAt >= since);
    const fingerprint = JSON.stringify(items.map((i) => [i.itemId, i.consentStatus, i.outbox.length]));
    if (fingerprint !== last) {
      last = fingerprint;
      stableSince = Date.now();
    }
    const quiet = Date.now() - stableSince;
    if ((items.length >= expected && quiet > 2_000) || Date.now() > deadline) return items;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function describe(item: ItemView): string {
  const head = `■ ${item.channel} → ${item.classification.toUpperCase()}${item.ref ? ` (reference ${item.ref})` : ''}`;
  const lines = [head];
  if (item.subject) lines.push(`    subject: ${item.subject}`);
  for (const r of item.reasons) lines.push(`    why:     ${r.detail ?? ruleName(r.rule)} [${r.clause}]`);
  for (const f of item.flags) lines.push(`    flagged: ${f.category} → ${f.action} [${f.clause}]`);
  if (item.consentStatus && item.consentStatus !== 'not-needed') lines.push(`    consent: ${item.consentStatus}`);
  if (item.outbox.length === 0) lines.push('    sent:    nothing');
  for (const o of item.outbox) lines.push(`    sent:    ${o.kind} to ${o.to} by ${o.channel}`);
  return `${lines.join('\n')}\n`;
}

main().catch((error: unknown) => {
  process.stderr.write(`demo: ${(error as Error).message}\n`);
  process.exit(1);
});
