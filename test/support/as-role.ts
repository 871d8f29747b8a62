import { runAs } from '../../infra/local/iam/enforce.ts';
import type { Principal } from '../../infra/local/iam/model.ts';

/** A handler that runs as its function's IAM role, as the local Lambda runtime does (infra/local/lambda.ts). */
export function asRole<A extends unknown[], R>(principal: Principal, handler: (...args: A) => R): (...args: A) => R {
  return (...args: A) => runAs(principal, () => handler(...args));
}
