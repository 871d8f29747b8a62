import { RemovalPolicy, type Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as snsSubscriptions from 'aws-cdk-lib/aws-sns-subscriptions';

/**
 * End User Messaging SMS → SNS → smsInbound, only when the council enables
 * End User Messaging two-way SMS (Twilio needs none of it). The topic carries
 * residents' numbers and texts, so it is encrypted, and End User Messaging can
 * publish to an encrypted topic only with a customer managed key whose policy
 * names it ($1 a month): that key is made here, for this topic alone. Its
 * construct id stays `DataKey`, the id of the key hubs deployed before it had
 * this one use.
 */
export function addSmsInbound(stack: Stack, stackId: string, smsInbound: lambda.Function): sns.Topic {
  const key = new kms.Key(stack, 'DataKey', {
    alias: `alias/${stackId}/data`,
    description: 'Parish Comms Hub: the End User Messaging inbound SMS topic',
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const smsTopic = new sns.Topic(stack, 'InboundSmsTopic', {
    displayName: 'Parish Comms Hub inbound SMS',
    masterKey: key,
    enforceSSL: true,
  });
  smsTopic.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowEndUserMessagingSms',
      principals: [new iam.ServicePrincipal('sms-voice.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [smsTopic.topicArn],
      conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
    }),
  );
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowEndUserMessagingToPublishToTheTopic',
      principals: [new iam.ServicePrincipal('sms-voice.amazonaws.com')],
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
    }),
  );
  smsTopic.addSubscription(new snsSubscriptions.LambdaSubscription(smsInbound));
  return smsTopic;
}
