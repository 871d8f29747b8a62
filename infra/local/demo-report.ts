import type { ItemView } from './records.ts';

/**
 * The pure parts of `npm run demo`'s report: the order results are printed in
 * and the one line it prints when the hub stops answering.
 */

/** Formal items in reference order (the order the hub numbered them), then the rest in the order they were received. */
export function reportOrder(items: readonly ItemView[]): ItemView[] {
  return [...items].sort((a, b) => {
    if (a.ref && b.ref) return a.ref.localeCompare(b.ref);
    if (a.ref || b.ref) return a.ref ? -1 : 1;
    return a.receivedAt.localeCompare(b.receivedAt) || a.itemId.localeCompare(b.itemId);
  });
}

/** Why a request to the hub failed, in words (Node's fetch says only "fetch failed"; the cause has the code). */
export function connectionProblem(error: unknown): string {
  const cause = (error as { cause?: { code?: string } })?.cause;
  const code = cause?.code ?? (error as { code?: string })?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused: the hub is not running';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'the connection was dropped: the hub stopped';
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'ETIMEDOUT':
      return 'no answer in time';
    default:
      return code ? `${code}: ${(error as Error).message}` : ((error as Error)?.message ?? String(error));
  }
}

export function stoppedMessage(input: { baseUrl: string; doing: string; sent: number; total: number; error: unknown }): string {
  return (
    `the hub at ${input.baseUrl} stopped answering while ${input.doing} (${connectionProblem(input.error)}); ` +
    `${input.sent} of ${input.total} examples were sent. Start it again with npm start (it keeps everything it accepted), then run the demo again.`
  );
}
