import { loadIamModel } from '../../infra/local/iam/model.ts';

/** Synthesise the IAM model once (or read it from the cache) before the workers start, so they never race to build it. */
export default async function setup(): Promise<void> {
  await loadIamModel();
}
