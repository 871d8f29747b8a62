import type { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as snsSubscriptions from 'aws-cdk-lib/aws-sns-subscriptions';

/**
 * End User Messaging SMS → SNS → smsInbound. The key policy statement also lets
 * CloudWatch publish to the (same-key) alarm topic.
 */
export function addSmsInbound(stack: Stack, messagingKey: kms.Key, smsInbound: lambda.Function): sns.Topic {
  const smsTopic = new sns.Topic(stack, 'InboundSmsTopic', {
    displayName: 'Parish Comms Hub inbound SMS',
    masterKey: messagingKey,
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
  messagingKey.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowServicesToPublishToEncryptedTopics',
      principals: [new iam.ServicePrincipal('sms-voice.amazonaws.com'), new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
    }),
  );
  smsTopic.addSubscription(new snsSubscriptions.LambdaSubscription(smsInbound));
  return smsTopic;
}
