import middy from '@middy/core';
import type { SQSEvent } from 'aws-lambda';
import { InboundItem } from '../shared/model/inbound-item.ts';
import { processInboundItem } from '../shared/pipeline/classify.ts';
import { classifyDepsFromEnv } from '../shared/pipeline/classify-deps.ts';
import { sqsBatchHandler } from '../shared/queue/consume.ts';
import { log } from '../shared/runtime/log.ts';
import { loadSecrets } from '../shared/runtime/secrets.ts';

/** Inbound queue consumer: decides, records and routes each item once (see shared/pipeline/classify.ts). */
// Built at start (top-level await): every invocation uses the policy and the stores.
const deps = await classifyDepsFromEnv();

const consume = sqsBatchHandler(
  InboundItem,
  async (item) => {
    const secrets = await loadSecrets();
    const outcome = await processInboundItem(item, { ...deps, secrets });
    log.info('classified', {
      itemId: outcome.itemId,
      classification: outcome.classification,
      ref: outcome.ref,
      outbox: outcome.outboxIds.length,
      duplicate: outcome.duplicate,
    });
  },
  { name: 'classify' },
);

export const handler = middy<SQSEvent>().handler(consume);
