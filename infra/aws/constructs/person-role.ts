import { Duration, type Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * A role a person assumes (the auditor, the data protection officer): by the principals named, else by whoever the
 * account's own IAM policies allow; a session lasts an hour at most.
 */
export function personRole(stack: Stack, id: string, description: string, principals: readonly string[] | undefined): iam.Role {
  return new iam.Role(stack, id, {
    description,
    assumedBy: principals?.length ? new iam.CompositePrincipal(...principals.map((arn) => new iam.ArnPrincipal(arn))) : new iam.AccountRootPrincipal(),
    maxSessionDuration: Duration.hours(1),
  });
}
