/**
 * The words of obscenity's English list that are obscene in a British parish
 * (withyham.txt §6.11 bullet 1; stilton.txt §7a), by the list's `originalWord`.
 * Dropped on purpose: "tit" (the bird), "dyke" (a Fenland ditch), "cum"
 * (Stow-cum-Quy), "rape" (oilseed), "fag" (a cigarette), "cock" (a cock-up),
 * "dick" (a name), "arse" and "piss" (mild venting) and the clinical words.
 *
 * The matcher does not read this at run time: `npm run gen:moderation`
 * builds shared/moderation/obscene-terms.json from it and obscenity's dataset,
 * and test/unit/moderation-obscene-matcher.test.ts fails if that file is stale.
 */
export const OBSCENE_WORDS: ReadonlySet<string> = new Set([
  'abo',
  'abeed',
  'africoon',
  'arabush',
  'bastard',
  'blowjob',
  'bollocks',
  'boonga',
  'buttplug',
  'chingchong',
  'chink',
  'cunt',
  'deepthroat',
  'dildo',
  'fuck',
  'gangbang',
  'handjob',
  'jizz',
  'kike',
  'lubejob',
  'nigger',
  'retard',
  'shit',
  'slut',
  'spastic',
  'twat',
  'wank',
  'whore',
  'porn',
  'jerk off',
  'felch',
  'fisting',
  'prick',
]);
