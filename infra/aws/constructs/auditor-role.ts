import type { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { OPS_INDEX, OPS_PREFIX, under } from '../../../shared/store/keys.ts';
import { TABLES } from '../../../shared/topology.ts';
import { AUDITOR_TABLE_ACTIONS } from '../access.ts';
import { personRole } from './person-role.ts';
import { type Tables, tableAndIndexArns } from './storage.ts';

/** Auditor: read-only on the audit table and its indexes (and the case records), nothing else. */
export function addAuditorRole(stack: Stack, props: { tables: Tables; principals?: readonly string[] | undefined }): iam.Role {
  const { tables } = props;
  const role = personRole(stack, 'AuditorRole', 'Parish Comms Hub auditor: read-only on the audit table and its indexes', props.principals);
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'ReadAuditTrail',
      actions: [...AUDITOR_TABLE_ACTIONS],
      resources: tableAndIndexArns(tables.audit, TABLES.audit, 'auditor'),
    }),
  );
  // `hub cases` (issue 13): the case records in the operational table and their listing on the byDue index, nothing else there.
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'ReadCases',
      actions: ['dynamodb:GetItem', 'dynamodb:Query'],
      resources: [tables.ops.tableArn, `${tables.ops.tableArn}/index/byDue`],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [under(OPS_PREFIX.case), OPS_INDEX.cases] } },
    }),
  );
  return role;
}
