/**
 * `node:stream/web` as @middy/core 6 sees it in a Lambda bundle (infra/aws/bundling.ts).
 * middy imports ReadableStream at its top only for an `instanceof` on the
 * response-streaming path, which no hub function uses; importing the real
 * module loads Node's whole web-streams stack (about 1 ms) at every cold start.
 * This answers the same `instanceof` by asking Node's global ReadableStream,
 * which Node loads only when that path runs.
 */
export const ReadableStream = {
  [Symbol.hasInstance]: (value: unknown): boolean => value instanceof globalThis.ReadableStream,
};
