import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../infra/local/config.ts';
import { startHub, type Hub } from '../../infra/local/hub.ts';
import type { OutboxEntry } from '../../infra/local/outbox.ts';
import { eumSms, mailchimpUnsubscribe, messengerComment, messengerMessage, targetFromEnv, twilioSms, type HubTarget } from '../../infra/local/traffic.ts';

/**
 * The pages people open, in a real browser (Chromium from the Debian
 * packages; `.ci/run` installs it where missing), checked with axe-core at
 * WCAG 2.2 AA: the local home page and the consent form before and after
 * answering, each at a desktop (1280 px) and a phone (390 px) width. A
 * serious or critical violation fails the test. The hub runs in-process on
 * free ports with its own data dir.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const VIEWPORTS = [
  { name: 'desktop', width: 1280, height: 900 },
  { name: 'phone', width: 390, height: 844 },
] as const;
const OUR_NUMBER = '+447700900123';

interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: readonly { readonly target: readonly string[] }[];
}

async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  const tags = JSON.stringify(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']);
  const violations = (await page.evaluate(`axe.run(document, { runOnly: { type: 'tag', values: ${tags} } }).then((r) => r.violations)`)) as AxeViolation[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.impact} ${v.id}: ${v.help} (${v.nodes
          .map((n) => n.target.join(' '))
          .slice(0, 3)
          .join('; ')})`,
    );
}

/** Nothing wider than the viewport (no sideways scrolling on a phone). */
async function overflowsSideways(page: Page): Promise<boolean> {
  return (await page.evaluate('document.documentElement.scrollWidth > window.innerWidth + 1')) as boolean;
}

describe('accessibility in a real browser (axe-core, WCAG 2.2 AA)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'hub-a11y-'));
  let hub: Hub;
  let target: HubTarget;
  let browser: Browser;
  let consentLinks: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (.ci/run does), or set CHROMIUM_PATH`);
    const config = readConfig({ ...process.env, HUB_PORT: '0', HUB_SMTP_PORT: '0', HUB_DATA_DIR: dataDir, HUB_COUNCIL: 'demo' });
    hub = await startHub(config, { warn: () => undefined });
    target = { ...targetFromEnv({ HUB_PORT: String(hub.httpPort), HUB_SMTP_PORT: String(hub.smtpPort) }) };
    const run = randomUUID().slice(0, 8);
    await messengerMessage(target, '6543210987654321', `m_a11y_${run}`, 'Hello, when is the next parish council meeting?');
    await messengerComment(
      target,
      '7788990011223344',
      'Jane Smith',
      `987654321098765_${run}`,
      'The council broke the law by holding the budget meeting in secret.',
    );
    await twilioSms(target, '+447700900456', OUR_NUMBER, 'Bin not collected on Elm Close', `SM${run}${'0'.repeat(24)}`);
    await eumSms(target, '+447700900321', OUR_NUMBER, 'Street light out at the bus stop on High St', randomUUID());
    await mailchimpUnsubscribe(target, 'newsletter.reader@example.co.uk', '2026-01-05 10:02:11');
    const deadline = Date.now() + 30_000;
    while (consentLinks.length < 2) {
      if (Date.now() > deadline) throw new Error('no consent requests in the outbox');
      const outbox = (await (await fetch(`${hub.httpUrl}/local/outbox`)).json()) as OutboxEntry[];
      consentLinks = outbox.filter((e) => e.kind === 'consent-request').map((e) => /https?:\/\/\S+/.exec(e.text)![0]);
      await new Promise((r) => setTimeout(r, 200));
    }
    browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('the Mailchimp record says what happened, under its own name (issue 17 item 6)', async () => {
    let html = '';
    for (let tries = 0; tries < 100 && !html.includes('newsletter'); tries++) {
      html = await (await fetch(`${hub.httpUrl}/?channel=mailchimp`)).text();
      await new Promise((r) => setTimeout(r, 200));
    }
    const article = /<article>[\s\S]*?<\/article>/.exec(html)?.[0] ?? '';
    expect(article).toContain('Unsubscribed from the newsletter, kept as a consent record');
    expect(article).toContain('Robin Reader');
    expect(article).not.toContain('Jane Smith');
  }, 30_000);

  for (const viewport of VIEWPORTS) {
    it(`home page at ${viewport.width} px`, async () => {
      const page = await browser.newPage();
      await page.setViewport({ width: viewport.width, height: viewport.height });
      await page.goto(hub.httpUrl, { waitUntil: 'load' });
      expect(await seriousViolations(page)).toEqual([]);
      expect(await overflowsSideways(page)).toBe(false);
      await page.close();
    }, 60_000);
  }

  VIEWPORTS.forEach((viewport, i) => {
    it(`consent form at ${viewport.width} px, before and after answering`, async () => {
      const page = await browser.newPage();
      await page.setViewport({ width: viewport.width, height: viewport.height });
      await page.goto(consentLinks[i]!, { waitUntil: 'load' });
      expect(await page.$eval('h1', (h) => h.textContent)).toContain('pass on your details');
      expect(await seriousViolations(page)).toEqual([]);
      expect(await overflowsSideways(page)).toBe(false);
      // The reference stays on one line on a phone.
      expect(await page.$eval('.ref', (el) => el.getClientRects().length)).toBe(1);

      // Sending without a choice shows the error, which must be as accessible.
      await Promise.all([page.waitForNavigation(), page.evaluate("document.querySelector('form').submit()")]);
      expect(await page.$eval('h1', (h) => h.textContent)).toContain('pass on your details');
      expect(await seriousViolations(page)).toEqual([]);

      await page.click(i === 0 ? '#choice-grant' : '#choice-decline');
      await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
      expect(await page.$eval('h1', (h) => h.textContent)).toMatch(/we have your answer/i);
      expect(await seriousViolations(page)).toEqual([]);
      expect(await overflowsSideways(page)).toBe(false);
      await page.close();
    }, 60_000);
  });
});
