export { policySchemas, MODERATION_ACTIONS, DAYS } from './schema.ts';
export type { Policy, ModerationRule, ModerationAction, ChannelRule, PolicyAddress, Day, OfficeWindow } from './schema.ts';
export { loadPolicy, parsePolicy, isPresetName, PolicyError, PRESET_NAMES } from './load.ts';
export type { PresetName, LoadPolicyOptions } from './load.ts';
export { decide, automaticMail, HUB_CLAUSES } from './engine.ts';
export type { DecisionContext } from './engine.ts';
export { renderText, fillPlaceholders, templateFor } from './texts.ts';
export {
  isWithinOfficeHours,
  nextMonitoredAt,
  isBankHoliday,
  toLondonIso,
  describeLondonTime,
  ENGLAND_AND_WALES_BANK_HOLIDAYS,
} from './office-hours.ts';
