// Its own module so the retention sweep can list the classifications without evaluating every Decision schema (zod).
export const CLASSIFICATIONS = ['formal', 'informal', 'ignored'] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];
