import { type Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { MAIL_BUCKET } from '../../shared/topology.ts';
import { DPO_ACCESS } from './access.ts';
import { personRole } from './constructs/person-role.ts';
import { objectPrefixFinding } from './constructs/storage.ts';

export interface DpoRoleProps {
  readonly audit: dynamodb.Table;
  readonly auditQueue: sqs.IQueue;
  readonly ops: dynamodb.Table;
  readonly mailBucket: s3.Bucket;
  readonly indexNames: readonly string[];
  readonly principals?: readonly string[];
}

/**
 * The data protection officer's role: exactly what `hub sar export`,
 * `hub erase` and `hub hold` do (shared/dataprotection/), nothing else.
 * Separate from the auditor, who only reads. It can never delete an audit
 * item, nor update a chained event: erasure appends an event and updates the
 * item's content and summary records (`ITEM#…`), holds live under `HOLD#…`.
 */
export function addDpoRole(stack: Stack, props: DpoRoleProps): iam.Role {
  const role = personRole(stack, 'DpoRole', 'Parish Comms Hub data protection officer: subject access export, erasure, legal holds', props.principals);
  grantAuditTable(role, props);
  grantOpsTable(role, props);
  grantMailAndOutputs(stack, role, props);
  return role;
}

/** Read the audit records; record events and holds, erase content; never write a chain event. */
function grantAuditTable(role: iam.Role, props: DpoRoleProps): void {
  const indexArn = (name: string) => `${props.audit.tableArn}/index/${name}`;
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'ReadAuditRecords',
      actions: [...DPO_ACCESS.auditRead],
      resources: [props.audit.tableArn, ...DPO_ACCESS.auditIndexes.filter((i) => props.indexNames.includes(i)).map(indexArn)],
    }),
  );
  // Events are recorded (EVENTKEY#…) and named on the audit queue; only the appender writes the chain (CHAIN#…).
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'RecordAuditEventsAndHolds',
      actions: ['dynamodb:PutItem'],
      resources: [props.audit.tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...DPO_ACCESS.auditPutKeys] } },
    }),
  );
  props.auditQueue.grantSendMessages(role);
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'EraseContentAndManageHolds',
      actions: ['dynamodb:UpdateItem'],
      resources: [props.audit.tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...DPO_ACCESS.auditUpdatableKeys] } },
    }),
  );
}

/** Find a person's operational records; delete or scrub them by key class. */
function grantOpsTable(role: iam.Role, props: DpoRoleProps): void {
  role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'FindOperationalRecords', actions: ['dynamodb:Scan'], resources: [props.ops.tableArn] }));
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'RemoveOperationalRecords',
      actions: ['dynamodb:DeleteItem'],
      resources: [props.ops.tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...DPO_ACCESS.opsDeletableKeys] } },
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'ScrubDecisionClaims',
      actions: ['dynamodb:PutItem'],
      resources: [props.ops.tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...DPO_ACCESS.opsWritableKeys] } },
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'ScrubErasedCases',
      actions: ['dynamodb:UpdateItem'],
      resources: [props.ops.tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...DPO_ACCESS.opsUpdatableKeys] } },
    }),
  );
}

/** The erased item's raw mail and kept body, and the stack outputs the CLI reads. */
function grantMailAndOutputs(stack: Stack, role: iam.Role, props: DpoRoleProps): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'DeleteErasedRawMailAndBodies',
      actions: ['s3:DeleteObject'],
      resources: [props.mailBucket.arnForObjects(`${MAIL_BUCKET.objectPrefix}*`), props.mailBucket.arnForObjects(`${MAIL_BUCKET.contentPrefix}*`)],
    }),
  );
  // A subject access report includes the full text of bodies too large for the record.
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({ sid: 'ReadKeptBodies', actions: ['s3:GetObject'], resources: [props.mailBucket.arnForObjects(`${MAIL_BUCKET.contentPrefix}*`)] }),
  );
  role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'ReadStackOutputs', actions: ['cloudformation:DescribeStacks'], resources: [stack.stackId] }));
  Validations.of(role).acknowledge(
    {
      id: objectPrefixFinding(props.mailBucket, MAIL_BUCKET.objectPrefix),
      reason: 'Erasure deletes the raw mail of the erased item, whose key is its SES message id; DeleteObject on the raw-mail prefix only.',
    },
    {
      id: objectPrefixFinding(props.mailBucket, MAIL_BUCKET.contentPrefix),
      reason: 'Oversized bodies are one object per item, named by council and reference: read for a subject access report, deleted on erasure.',
    },
  );
}
