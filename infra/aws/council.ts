import { existsSync } from 'node:fs';
import { basename, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isPresetName, loadPolicy, PRESET_NAMES, presetFile } from '../../shared/policy/load.ts';
import { MAIL_BUCKET } from '../../shared/topology.ts';

/** Where a custom council policy file is copied inside the bundle (Lambda unpacks code at /var/task). */
export const BUNDLED_POLICY_DIR = '/var/task';

export interface CouncilSetting {
  /** Value of HUB_COUNCIL in Lambda. */
  readonly envValue: string;
  /** Absolute path of the policy file (a preset's or the operator's) copied into the bundle. */
  readonly file: string;
  /** The policy's council id: the audit chain's partition (`CHAIN#<id>`). */
  readonly councilId: string;
  /** Days the raw-mail bucket keeps a message (retention.rawMail). */
  readonly rawMailDays: number;
  /** The pinned Bedrock model of the second tier of moderation, when the council opted in. */
  readonly moderationModel?: { readonly modelId: string; readonly region: string };
  /** Years formal records are kept (retention.formal): how long each audit digest is locked. */
  readonly formalYears: number;
}

/**
 * The policy is loaded (and so validated) at synth, so a typo fails `cdk synth`
 * rather than the first cold start. The council's file (a preset's from
 * shared/policy/presets, or the operator's own) is copied next to index.mjs
 * and HUB_COUNCIL points at the copy; no bundle carries the other presets.
 */
export function resolveCouncil(council: string): CouncilSetting {
  const file = isPresetName(council) ? fileURLToPath(presetFile(council)) : isAbsolute(council) ? council : resolve(process.cwd(), council);
  if (!existsSync(file)) throw new Error(`council: "${council}" is neither a preset (${PRESET_NAMES.join(', ')}) nor an existing policy file`);
  return { envValue: `${BUNDLED_POLICY_DIR}/${basename(file)}`, file, ...fromPolicy(loadPolicy(file)) };
}

function modelOf(policy: ReturnType<typeof loadPolicy>): Pick<CouncilSetting, 'moderationModel'> {
  return policy.moderationModel?.enabled ? { moderationModel: { modelId: policy.moderationModel.modelId, region: policy.moderationModel.region } } : {};
}

function fromPolicy(policy: ReturnType<typeof loadPolicy>): Omit<CouncilSetting, 'envValue' | 'file'> {
  return {
    councilId: policy.council.id,
    rawMailDays: policy.retention.rawMail?.days ?? MAIL_BUCKET.expireAfterDays,
    formalYears: policy.retention.formal.years,
    ...modelOf(policy),
  };
}
