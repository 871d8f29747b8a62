// Its own module so the policy schema can name the categories without evaluating every Decision schema.
export const MODERATION_CATEGORIES = [
  'obscene-or-racist',
  'personal-attack',
  'potentially-libellous',
  'plagiarised-or-unlawful',
  'personal-information',
  'off-topic-links',
  'commercial-or-spam',
  'alleges-breach',
] as const;
export type ModerationCategory = (typeof MODERATION_CATEGORIES)[number];
