import { describe, expect, it } from 'vitest';
import { detectRequest, detectRequests } from '../../shared/cases/detect.ts';

/**
 * The statutory-request rules by the law they apply (shared/cases/detect.ts).
 * The wording here is written for this test from the statutes and the ICO's
 * guidance, not taken from the labelled sets; the sets measure the rules
 * (`npm run eval:requests`). Each detection names its rule and clause.
 */

const types = (text: string) => detectRequests(text).map((d) => d.type);
const rule = (text: string) => detectRequest(undefined, text)?.rule;

describe('subject access (UK GDPR art. 15): the writer’s own personal data, in any words', () => {
  it('a request made under the Data Protection Act names the right', () => {
    expect(detectRequest(undefined, 'I am making a request under the Data Protection Act 2018 for everything the council keeps on me. Ann Lee')).toMatchObject({
      type: 'sar',
      rule: 'sar-named',
      clause: expect.stringContaining('art. 15'),
    });
  });

  it('records about the writer, asked for without naming the law', () => {
    expect(rule('Could you send me the notes your officer made at my allotment inspection? Ravi Shah')).toBe('sar-own-records');
    expect(rule('What information have you got about me? Someone said I am on a list. Jo')).toBe('sar-own-records');
    expect(rule('Please treat this as a request for all the personal data you hold about me. Sam Ito')).toMatch(/^sar-/);
  });

  it('images in which the writer appears (CCTV, photographs)', () => {
    expect(rule('Can I have the camera footage from the pavilion on Sunday at noon? It shows me being pushed over. Kit Moss')).toBe('sar-own-image');
  });

  it('to whom the data went, and where it came from (art. 15(1)(c), (g))', () => {
    expect(rule('Please tell me whether the council has passed my personal details to anyone else. Lee Dunn')).toBe('sar-recipients-or-source');
  });

  it('someone with authority acting for the data subject; not for the deceased (recital 27), which is FOI', () => {
    expect(rule('I hold a power of attorney for my aunt and enclose it. Please send all records the council holds about her. Ewan Cole')).toBe('sar-on-behalf');
    expect(types('My late aunt rented a plot for years. I would like to see the letters the council holds about her. Ewan Cole')).toEqual(['foi']);
  });

  it('a request for records about a place is not about the writer; a contact address given is not "my email"', () => {
    expect(types('Could I have a copy of the flood report for my street? My email is kay@example.org')).toEqual(['foi']);
  });

  it('passing mentions are not requests: a blank form, a story, a request to another body, a complaint about handling', () => {
    expect(types('Could you post me a blank subject access request form please?')).toEqual([]);
    expect(types('Saw that someone used a subject access request against the county. Interesting.')).toEqual([]);
    expect(types('I have made a subject access request to the district, who hold my file, so ignore my last email.')).toEqual([]);
    expect(types('I wish to complain about the handling of my subject access request: half the emails were missing. Please review it.')).toEqual(['complaint']);
  });
});

describe('FOI / EIR (FOIA s.1, s.8; EIR reg 5): recorded information the council holds', () => {
  it('a list of records after "please provide:" on the following lines', () => {
    expect(rule('Please provide:\n- the annual return for 2024\n- the minutes approving it\nThanks, Dr Ola Ade')).toBe('foi-recorded-information');
  });

  it('figures from the accounts, asked as a question', () => {
    expect(rule('whats the council paying for the new website? Tom Reed tom@example.com')).toBe('foi-figures-question');
    expect(rule('How much was paid to the surveyor for the pond report? Mel')).toBe('foi-figures-question');
  });

  it('mentioning the police in the request does not make it a police request; a police officer asking is (DPA 2018 Sch. 2)', () => {
    expect(types('Please send me the reports of vandalism the council passed to the police last year, names removed. Di Hart')).toEqual(['foi']);
    expect(types('This is PC Wood of the county force. We request the CCTV of the car park on Friday night.')).toEqual([]);
  });

  it('business as usual and rectification are not requests for records', () => {
    expect(types('Can I have a paper copy of the hall booking form to fill in?')).toEqual([]);
    expect(types('The minutes list me as absent; I want them corrected. Bob')).toEqual([]);
  });

  it("a councillor's need to know is not FOI", () => {
    expect(types('Cllr Dawes here. Could you forward me the emails about the car park so I can prepare for Monday?')).toEqual([]);
  });
});

describe("complaints (the council's complaints procedure): dissatisfaction with the council's own service, asking for a response", () => {
  it('dissatisfaction with the council, its staff or contractors, and a remedy asked for, without the word "complaint"', () => {
    expect(
      detectRequest(undefined, 'Your contractor dumped grass cuttings on my drive and nobody has answered my calls. I want an apology and it cleared. Ivy'),
    ).toMatchObject({
      type: 'complaint',
      rule: 'complaint-dissatisfied-remedy',
    });
  });

  it('the writer complaining in the first person, or invoking the procedure', () => {
    expect(rule('I must complain about the state of the council’s cemetery paths. Nell Ward')).toBe('complaint-named');
    expect(rule('Please deal with this under your complaints procedure: my hall deposit was never returned.')).toBe('complaint-named');
  });

  it('asking how or to whom to complain, or about the procedure, is not a complaint', () => {
    expect(types('How do I complain about a councillor?')).toEqual([]);
    expect(types('What is the council’s complaints procedure? I am writing a guide for our group.')).toEqual([]);
    expect(types('Can I complain to you about the bus drivers skipping our stop?')).toEqual([]);
  });

  it('a complaint about someone the council does not answer for is not one, even when the complaint sentence names no one', () => {
    expect(types('The farmer has blocked the bridleway again. I want to make a complaint. Who do I go to?')).toEqual([]);
    expect(types('I wish to make a formal complaint about the bus drivers on route 5.')).toEqual([]);
  });
});
