import { describe, expect, it } from 'vitest';
import { escapeHtml, renderConsentForm, renderConsentRecorded, renderProblem } from '../../shared/pipeline/consent-page.ts';

const hostile = {
  councilName: `Evil <script>alert(1)</script> & "Co" 'x'`,
  reference: `REF"><img src=x onerror=alert(1)>`,
};

describe('consent pages', () => {
  it('escapes a hostile council name and reference everywhere', () => {
    for (const html of [
      renderConsentForm(hostile),
      renderConsentForm({ ...hostile, missingChoice: true }),
      renderConsentRecorded({ ...hostile, choice: 'grant', alreadyRecorded: false }),
      renderProblem('closed', hostile.councilName, hostile.reference),
    ]) {
      expect(html).not.toContain('<script>');
      expect(html).not.toContain('<img');
      expect(html).toContain(escapeHtml(hostile.reference));
      expect(html).toContain('Evil &#60;script&#62;');
    }
  });

  it('is a complete, labelled form that works without JavaScript', () => {
    const html = renderConsentForm({ councilName: 'Demo Parish Council', reference: 'DEM-2026-000007' });
    expect(html).toMatch(/<html lang="en-GB">/);
    expect(html).toMatch(/<title>Data consent - Demo Parish Council<\/title>/);
    expect(html).toMatch(/<form method="post">/);
    expect(html).toMatch(/<fieldset>[\s\S]*<legend>[^<]+<\/legend>[\s\S]*<\/fieldset>/);
    expect(html).not.toMatch(/<script/i);
    for (const value of ['grant', 'decline']) {
      expect(html).toContain(`id="choice-${value}" name="choice" value="${value}"`);
      expect(html).toMatch(new RegExp(`<label for="choice-${value}">[^<]+</label>`));
    }
    expect(html).toMatch(/<button type="submit">[^<]+<\/button>/);
    expect(html).toContain(':focus-visible');
    expect(html).toContain('DEM-2026-000007');
  });

  it('names an error in words and ties it to the question', () => {
    const html = renderConsentForm({ councilName: 'Demo', reference: 'DEM-1', missingChoice: true });
    expect(html).toContain('<title>Error: Data consent - Demo</title>');
    expect(html).toContain('role="alert" id="choice-error"');
    expect(html).toContain('aria-describedby="choice-error"');
  });

  it('says plainly what was recorded', () => {
    expect(renderConsentRecorded({ councilName: 'Demo', reference: 'DEM-1', choice: 'decline', alreadyRecorded: true })).toContain(
      'You said no: the council will not pass on your details.',
    );
    expect(renderProblem('expired', 'Demo')).toContain('nothing has been recorded');
  });
});
