/**
 * A value made on first use and kept for the life of the container: callers
 * share one promise, kept once it resolves. A rejection is not kept, so the
 * next call tries again (a passing outage must not poison the container).
 */
export function madeOnce<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => {
    made ??= make().catch((error: unknown) => {
      made = undefined;
      throw error;
    });
    return made;
  };
}
