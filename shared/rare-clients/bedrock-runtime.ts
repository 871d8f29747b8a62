/**
 * The Bedrock Runtime client for the opt-in second opinion on public comments
 * (shared/moderation/second-tier.ts). Import it only as
 * `import('#rare-clients/bedrock-runtime')`: a Lambda bundle keeps it in a file
 * of its own that no cold start loads (infra/aws/bundling.ts).
 */
export { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
