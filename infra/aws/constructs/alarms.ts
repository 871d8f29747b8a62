import { Duration, type Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as snsSubscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { INTAKE_REJECTED_MESSAGE } from '../../../shared/channels/mandrill-intake.ts';
import { QUEUES } from '../../../shared/topology.ts';
import { pascal } from '../names.ts';
import type { HubQueues } from './queues.ts';

/** Alarms to the operator: every dead-letter queue, the async-failure queue, and every function's errors and throttles. */
export function addAlarms(
  stack: Stack,
  props: { queues: HubQueues; accessLogs: logs.ILogGroup; mandrill: MandrillLogs; alarmEmail?: string | undefined },
): sns.Topic {
  const alarmTopic = new sns.Topic(stack, 'OperatorAlarms', { displayName: 'Parish Comms Hub alarms', enforceSSL: true });
  Validations.of(alarmTopic).acknowledge({
    id: 'AwsSolutions-SNS2',
    reason:
      'Alarm notifications carry the alarm name, description and metric, never a resident\'s data. CloudWatch can publish to an encrypted topic only with a customer managed key ($1 a month); docs/deploy.md "Monthly cost".',
  });
  alarmTopic.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarms',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [alarmTopic.topicArn],
      conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
    }),
  );
  if (props.alarmEmail) alarmTopic.addSubscription(new snsSubscriptions.EmailSubscription(props.alarmEmail));
  const notify = new cwActions.SnsAction(alarmTopic);
  const alarm = (alarmId: string, description: string, metric: cloudwatch.IMetric): void => {
    new cloudwatch.Alarm(stack, alarmId, {
      alarmDescription: description,
      metric,
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(notify);
  };
  const depth = (queue: sqs.Queue) => queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' });
  for (const def of Object.values(QUEUES)) {
    alarm(
      `${pascal(def.dlqId)}DepthAlarm`,
      `Messages in ${def.dlqId}: ${def.consumer} failed them ${def.maxReceiveCount} times`,
      depth(props.queues.deadLetterQueues[def.id]),
    );
  }
  alarm('AsyncFailuresDepthAlarm', 'Asynchronous invocations (SES mail, SMS, schedule) failed every retry', depth(props.queues.asyncFailures));
  // Every function's errors and throttles, through Lambda's account-level metrics ($0.10 each instead of
  // $0.10 per function and metric): deploy the hub in an account of its own, so these are the hub's.
  // The alarm says a function failed; its log group says which.
  alarm(
    'FunctionErrorsAlarm',
    'A hub function failed (errors of any function in this account and region)',
    lambda.Function.metricAllErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
  );
  alarm(
    'FunctionThrottlesAlarm',
    'A hub function was throttled (any function in this account and region)',
    lambda.Function.metricAllThrottles({ period: Duration.minutes(5), statistic: 'Sum' }),
  );
  alarm(
    'RequestsNotHandledAlarm',
    'A Mandrill POST was refused as too large (413: over 10 MB; it may hold several mails) or not stored (5xx), mandrillIntake rejected a stored POST (signature: a wrong key or URL loses every mail), or a webhook or consent request got a 5xx. Check the access logs and the mandrillIntake log: see docs/channels.md',
    requestsNotHandled(stack, props.accessLogs, props.mandrill),
  );
  return alarmTopic;
}

/** Where Mandrill's intake logs what the alarm counts. */
export interface MandrillLogs {
  /** The REST API's access log. */
  readonly accessLogs: logs.ILogGroup;
  /** mandrillIntake's log group. */
  readonly intakeLogs: logs.ILogGroup;
}

/**
 * Requests the provider was refused by the platform or the hub, counted from
 * logs by metric filters (free) into one metric: any 5xx of the HTTP API; on
 * Mandrill's REST API, 413 (over 10 MB: such a body never reaches anything
 * that could record it) and any 5xx (not stored); and each stored POST
 * mandrillIntake rejected (Mandrill was already told 200). The metric has
 * data, and so a price, only in hours with such a request.
 */
function requestsNotHandled(stack: Stack, accessLogs: logs.ILogGroup, mandrill: MandrillLogs): cloudwatch.IMetric {
  const metric = { metricNamespace: 'ParishCommsHub', metricName: 'RequestsNotHandled', metricValue: '1' };
  // The HTTP API's own 413s are the hub refusing oversized bodies (an attacker's): counting them would let anyone raise this alarm.
  const filter = new logs.MetricFilter(stack, 'RequestsNotHandledFilter', {
    logGroup: accessLogs,
    filterPattern: logs.FilterPattern.stringValue('$.status', '=', '5*'),
    ...metric,
  });
  new logs.MetricFilter(stack, 'MandrillNotStoredFilter', {
    logGroup: mandrill.accessLogs,
    filterPattern: logs.FilterPattern.any(logs.FilterPattern.stringValue('$.status', '=', '413'), logs.FilterPattern.stringValue('$.status', '=', '5*')),
    ...metric,
  });
  new logs.MetricFilter(stack, 'MandrillRejectedFilter', {
    logGroup: mandrill.intakeLogs,
    filterPattern: logs.FilterPattern.stringValue('$.message', '=', INTAKE_REJECTED_MESSAGE),
    ...metric,
  });
  return filter.metric({ period: Duration.minutes(5), statistic: 'Sum' });
}
