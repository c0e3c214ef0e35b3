// A min-heap of event starts: the engine takes events off the board in start order.

export interface HeapItem {
  readonly ms: number;
  readonly id: string;
  readonly seq: number;
}

export function heapPush(heap: HeapItem[], item: HeapItem): void {
  heap.push(item);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!less(heap[i]!, heap[parent]!)) break;
    [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
    i = parent;
  }
}

export function heapPop(heap: HeapItem[]): HeapItem {
  const top = heap[0]!;
  const last = heap.pop()!;
  if (heap.length > 0) {
    heap[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && less(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && less(heap[r]!, heap[m]!)) m = r;
      if (m === i) break;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  }
  return top;
}

// Same start: the event seen first starts first, so the order never depends on the heap's layout.
function less(a: HeapItem, b: HeapItem): boolean {
  return a.ms !== b.ms ? a.ms < b.ms : a.seq < b.seq;
}
