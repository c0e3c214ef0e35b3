import type { ReplayFrame } from './types';

/** Several time-ordered frame sequences as one (ties: the earlier source first). Lazy. */
export function* mergeFrames(sources: readonly Iterable<ReplayFrame>[]): Generator<ReplayFrame> {
  const its = sources.map((s) => s[Symbol.iterator]());
  const heads = its.map((it) => it.next());
  for (;;) {
    let pick = -1;
    for (let i = 0; i < heads.length; i++) {
      const h = heads[i]!;
      if (h.done === true) continue;
      if (pick < 0 || h.value.atMs < (heads[pick]!.value as ReplayFrame).atMs) pick = i;
    }
    if (pick < 0) return;
    yield heads[pick]!.value as ReplayFrame;
    heads[pick] = its[pick]!.next();
  }
}
