import { describe, expect, it } from 'vitest';
import { MODERATION_CATEGORIES, type ModerationCategory } from '../../shared/model/decision.ts';
import { detectModeration, type ModerationRule } from '../../shared/policy/moderation.ts';

const ALL: ModerationRule[] = MODERATION_CATEGORIES.map((category, i) => ({
  category,
  clause: `stilton.txt §7${'abcdefgh'[i]}`,
  action: category === 'alleges-breach' ? 'invite-formal-complaint' : 'flag',
}));

const categories = (text: string): ModerationCategory[] => detectModeration(text, ALL).map((f) => f.category);

/** Each category: messages that must flag it, and near misses that must not. */
const CASES: Record<ModerationCategory, { flags: string[]; clean: string[] }> = {
  'obscene-or-racist': {
    flags: ['This fucking council never listens', 'Absolute shite service', 'The pikeys are back on the layby', 'Go back to your own country'],
    clean: [
      'Bloody potholes again',
      'Scunthorpe United won on Saturday',
      'The bins are back on Tuesday, send them back to the depot if damaged',
      'Shitake mushrooms at the farmers market',
    ],
  },
  'personal-attack': {
    flags: ['You useless lot', 'The clerk is a jobsworth', 'I know where you live', "I'll smash your windows", 'You lot are a bunch of clowns'],
    clean: [
      "I'd kill for a bench by the pond",
      'Some idiot parked across my drive',
      'The weedkiller will kill them off',
      'The new bin is useless in the wind',
      'The hall should be locked up at night',
    ],
  },
  'potentially-libellous': {
    flags: [
      'The chairman is a crook',
      'Cllr Smith stole the precept money',
      'Councillor Meadows is on the take',
      'They took backhanders from the developer',
      'This council is corrupt',
    ],
    clean: [
      'Whoever nicked the planters is a thief',
      'The signpost on Mill Lane is bent',
      'The attachment is corrupt, can you resend?',
      'I disagree with the chairman about the car park',
      'Beware fraudulent texts claiming to be from the council',
    ],
  },
  'plagiarised-or-unlawful': {
    flags: [
      '© 2025 Peterborough Telegraph. All rights reserved.',
      'Copied and pasted from the Echo',
      'Fake designer handbags, PM me',
      'Attached are the leaked draft minutes',
      'Watch the full film free here',
    ],
    clean: [
      'Torrential rain flooded the lane',
      'Please share this post with your neighbours',
      'I have attached a copy of the minutes',
      'A torrent of water came down the hill',
    ],
  },
  'personal-information': {
    flags: [
      'His number is 07700 900461',
      'Email her at julie.sands@example.com',
      'Mark lives at 23 Orchard Close, SO30 3AB',
      'Date of birth 03/09/1958',
      'The van, reg KX19 ABC, parks on the pavement',
    ],
    clean: [
      'Call me on 07700 900123',
      'My email is ruth.allen@example.co.uk',
      'Please email clerk@stiltonparishcouncil.org',
      'Planning application 24/01123/FUL',
      'The fete raised £1,250 on 12/04/2025',
      'Thanks,\nPriya\n07700 900144\n4 Mill Lane, IP9 2AB',
    ],
  },
  'off-topic-links': {
    flags: [
      'More pics https://bit.ly/3kPz8Qw',
      'Read it at www.kentandsussexcourier.co.uk/news',
      'Prizes at freeflowershow-tickets.xyz',
      'Recording: https://youtu.be/dQw4w9WgXcQ',
    ],
    clean: [
      'Details on www.westend-pc.gov.uk',
      'See https://www.oxfordshire.gov.uk/cycle-path',
      'Report it on https://www.fixmystreet.com',
      'e.g. the minutes.pdf file',
      'Mr. Smith said so',
    ],
  },
  'commercial-or-spam': {
    flags: [
      'Selling garden furniture for sale, DM me',
      'Get 20% off with promo code WESTEND20',
      'Earn £500 a day with Bitcoin',
      'Free quotes, no job too small',
      'Click here to claim your prize',
    ],
    clean: [
      'The council is selling off the allotments',
      'Is there a discount for regular hall bookings?',
      'Can you message me when the hall is free?',
      'Cake sale at the church hall on Saturday',
      'Please click the link in the newsletter to see the minutes',
    ],
  },
  'alleges-breach': {
    flags: [
      'That is a breach of the code of conduct',
      'The council acted unlawfully',
      'Built without planning permission',
      'This is a GDPR breach',
      'Cllr Barker failed to declare an interest',
      'contrary to the council\u2019s standing orders',
    ],
    clean: [
      'Someone has illegally dumped a fridge on Mill Lane',
      'Cars are illegally parked on the pavement',
      'Is it illegal to park on the verge?',
      "It's not illegal to fly a flag",
      'Is that legal? It has always been a right of way.',
    ],
  },
};

describe('detectModeration', () => {
  for (const [category, { flags, clean }] of Object.entries(CASES) as [ModerationCategory, (typeof CASES)[ModerationCategory]][]) {
    describe(category, () => {
      it.each(flags)('flags %j', (text) => {
        expect(categories(text)).toContain(category);
      });
      it.each(clean)('does not flag %j', (text) => {
        expect(categories(text)).not.toContain(category);
      });
    });
  }

  it('flags nothing in ordinary parish messages', () => {
    const ordinary = [
      'The streetlight outside the Bell on the High Street has been flickering for a week',
      'Is the village hall free for a kids party on the 25th?',
      'Hedge on the corner of Caldecote Road is overgrown, you can\u2019t see round it',
      'Dog fouling on the recreation ground is getting worse near the swings',
      'Please add me to the allotment waiting list for plot 14',
      'Thanks for sorting the bins so quickly after Christmas',
      'Dear Clerk,\n\nThe drain at the bottom of Bourne Hill is blocked again.\n\nKind regards,\nGraham',
    ];
    for (const text of ordinary) expect(detectModeration(text, ALL), text).toEqual([]);
  });

  it('reports only the categories the council lists, with its clause and action', () => {
    const rules: ModerationRule[] = [{ category: 'alleges-breach', clause: 'withyham.txt §6.11', action: 'invite-formal-complaint' }];
    const text = 'The chairman is a crook and this is a breach of the code of conduct';
    expect(detectModeration(text, rules)).toEqual([
      { category: 'alleges-breach', evidence: ['breach of the code of conduct'], clause: 'withyham.txt §6.11', action: 'invite-formal-complaint' },
    ]);
    expect(detectModeration(text, [])).toEqual([]);
  });

  it('gives short excerpts of the matched words, never the whole message', () => {
    const text = `${'We have lived in the village for forty years and never seen anything like it. '.repeat(5)}The chairman is a crook.`;
    const [flag] = detectModeration(text, ALL);
    expect(flag?.category).toBe('potentially-libellous');
    for (const e of flag?.evidence ?? []) {
      expect(e.length).toBeLessThanOrEqual(60);
      expect(text).toContain(e);
    }
  });

  it('keeps at most three excerpts per category and no duplicates', () => {
    const text = 'fuck fuck shit shite bollocks twat wanker';
    const flag = detectModeration(text, ALL).find((f) => f.category === 'obscene-or-racist');
    expect(flag?.evidence).toHaveLength(3);
    expect(new Set(flag?.evidence).size).toBe(3);
  });

  it('gives the same answer on repeated calls (no regex state leaks between calls)', () => {
    const text = 'His number is 07700 900461 and her email is a.b@example.com';
    const first = detectModeration(text, ALL);
    expect(detectModeration(text, ALL)).toEqual(first);
    expect(detectModeration('nothing here', ALL)).toEqual([]);
    expect(detectModeration(text, ALL)).toEqual(first);
  });
});
