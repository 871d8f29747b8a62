import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/**
 * The Bedrock Runtime client for the opt-in second opinion on public comments
 * (shared/moderation/second-tier.ts). Import it only as
 * `import('#rare-clients/bedrock-runtime')`: a Lambda bundle keeps it in a file
 * of its own that no cold start loads (infra/aws/bundling.ts).
 */
export { ConverseCommand } from '@aws-sdk/client-bedrock-runtime';

/**
 * HTTP/1.1: the client defaults to HTTP/2 for its streaming operations; Converse does not need it, and the local
 * fake speaks HTTP/1.1. Made here so no SDK object crosses from the function's bundle into this file's copy of the SDK.
 */
export function converseClient(region: string, endpoint: string | undefined): BedrockRuntimeClient {
  return new BedrockRuntimeClient({ region, maxAttempts: 2, requestHandler: new NodeHttpHandler(), ...(endpoint ? { endpoint } : {}) });
}
