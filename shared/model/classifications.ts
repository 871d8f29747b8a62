// Its own module so the retention sweep can list the classifications without evaluating every Decision schema.
export const CLASSIFICATIONS = ['formal', 'informal', 'ignored'] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];
