import { ApplicationFailure } from '@temporalio/common';

/**
 * The details object (with a string `type`) of the first ApplicationFailure in `err`'s cause chain, looked
 * for at most `maxDepth` levels deep. Pure: the ingestion workflow and the providers' activities share it.
 */
export function typedFailureDetails<T extends { type: string }>(err: unknown, maxDepth: number): T | null {
  let e: unknown = err;
  for (let depth = 0; depth < maxDepth && e; depth++) {
    if (e instanceof ApplicationFailure) {
      const d = e.details?.[0] as Partial<T> | undefined;
      if (d && typeof d === 'object' && typeof d.type === 'string') return d as T;
    }
    e = (e as { cause?: unknown }).cause;
  }
  return null;
}
