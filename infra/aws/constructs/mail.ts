import type { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as ses from 'aws-cdk-lib/aws-ses';
import { MAIL_BUCKET } from '../../../shared/topology.ts';

export interface MailSending {
  readonly configurationSet: ses.ConfigurationSet;
  readonly identity: ses.EmailIdentity;
  /** Sender of auto-replies and consent requests (the only address the functions may send as). */
  readonly fromAddress: string;
}

/** SES sending: the mail domain's identity (Easy DKIM, custom MAIL FROM) and its configuration set. */
export function addMailSending(stack: Stack, mailDomain: string, fromAddress: string): MailSending {
  const configurationSet = new ses.ConfigurationSet(stack, 'SendingConfigurationSet', {
    reputationMetrics: true,
    sendingEnabled: true,
    suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
  });
  const identity = new ses.EmailIdentity(stack, 'MailDomainIdentity', {
    identity: ses.Identity.domain(mailDomain),
    configurationSet,
    mailFromDomain: `bounce.${mailDomain}`,
  });
  return { configurationSet, identity, fromAddress };
}

/** SES receiving: S3 action (raw MIME) then Lambda action (Event) for sesInbound. Returns the receipt rule set's name. */
export function addMailReceiving(stack: Stack, props: { stackId: string; mailDomain: string; mailBucket: s3.Bucket; sesInbound: lambda.Function }): string {
  const { mailBucket, sesInbound } = props;
  const ruleSetName = `${props.stackId}-inbound`;
  const ruleName = `${props.stackId}-to-hub`;
  const ruleArn = stack.formatArn({ service: 'ses', resource: 'receipt-rule-set', resourceName: `${ruleSetName}:receipt-rule/${ruleName}` });
  const sesScope = { StringEquals: { 'aws:SourceAccount': stack.account }, ArnLike: { 'aws:SourceArn': ruleArn } };
  const bucketPolicyResult = mailBucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowSesToWriteRawMail',
      principals: [new iam.ServicePrincipal('ses.amazonaws.com')],
      actions: ['s3:PutObject'],
      resources: [mailBucket.arnForObjects(`${MAIL_BUCKET.objectPrefix}*`)],
      conditions: sesScope,
    }),
  );
  const sesInvoke = new lambda.CfnPermission(stack, 'SesInvokesSesInbound', {
    action: 'lambda:InvokeFunction',
    functionName: sesInbound.functionArn,
    principal: 'ses.amazonaws.com',
    sourceAccount: stack.account,
    sourceArn: ruleArn,
  });
  const ruleSet = new ses.ReceiptRuleSet(stack, 'InboundRuleSet', { receiptRuleSetName: ruleSetName });
  const rule = ruleSet.addRule('ToHub', {
    receiptRuleName: ruleName,
    recipients: [props.mailDomain],
    scanEnabled: true,
    tlsPolicy: ses.TlsPolicy.REQUIRE,
    enabled: true,
    actions: [
      { bind: () => ({ s3Action: { bucketName: mailBucket.bucketName, objectKeyPrefix: MAIL_BUCKET.objectPrefix } }) },
      { bind: () => ({ lambdaAction: { functionArn: sesInbound.functionArn, invocationType: 'Event' } }) },
    ],
  });
  // SES checks both permissions when the rule is created.
  if (bucketPolicyResult.policyDependable) rule.node.addDependency(bucketPolicyResult.policyDependable);
  rule.node.addDependency(sesInvoke);
  return ruleSetName;
}

/**
 * Only SES sends for the mail domain (its MX is SES), every message DKIM-signed
 * for the domain itself (Easy DKIM, strict alignment) from the custom MAIL FROM
 * `bounce.<domain>` (relaxed SPF alignment), so `p=reject` loses nothing
 * genuine and makes receivers refuse mail forged as the council's hub. No
 * `rua`: reports sent to an address at this domain would arrive as items.
 */
export function dmarcRecord(mailDomain: string): string {
  return `_dmarc.${mailDomain} TXT "v=DMARC1; p=reject; sp=reject; adkim=s; aspf=r"`;
}
