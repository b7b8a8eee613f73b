/** Runs async jobs with at most `limit` in flight, failing fast on the first error. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  job: (item: T, index: number) => Promise<R>,
) {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await job(items[index]!, index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker);
  // Wait for every worker (none left running against a store we are about to report on).
  const settled = await Promise.allSettled(workers);
  const rejection = settled.find((result) => result.status === 'rejected');
  if (rejection) throw (rejection as PromiseRejectedResult).reason;
  return results;
}
