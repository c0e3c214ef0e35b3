/**
 * A progress bar for long replays, drawn on stderr only when stderr is a terminal (never in pipes, logs
 * or --json captures), redrawn at most every 100 ms and cleared when done.
 */
export interface ProgressStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): boolean;
}

export class ProgressBar {
  readonly enabled: boolean;
  private done = 0;
  private lastDraw = 0;
  private readonly started = Date.now();

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly stream: ProgressStream = process.stderr,
    options: { force?: boolean; now?: () => number } = {},
  ) {
    this.enabled = options.force === true || stream.isTTY === true;
  }

  tick(n = 1): void {
    this.done += n;
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.lastDraw < 100 && this.done < this.total) return;
    this.lastDraw = now;
    this.stream.write(`\r${this.line(now)}`);
  }

  /** The bar's text for the current count, e.g. "replay [#####-----] 50% 5,000/10,000 1.2s". */
  line(now = Date.now()): string {
    const share = this.total > 0 ? Math.min(1, this.done / this.total) : 1;
    const width = Math.max(10, Math.min(40, (this.stream.columns ?? 80) - this.label.length - 40));
    const filled = Math.round(share * width);
    const seconds = ((now - this.started) / 1000).toFixed(1);
    return (
      `${this.label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${Math.floor(share * 100)}% ` +
      `${this.done.toLocaleString('en-US')}/${this.total.toLocaleString('en-US')} ${seconds}s`
    );
  }

  finish(): void {
    if (this.enabled) this.stream.write('\r\x1b[2K');
  }
}

/** Tick a bar for every item of a (sync) iterable as it is consumed. */
export function* withProgress<T>(items: Iterable<T>, bar: ProgressBar): Generator<T> {
  try {
    for (const item of items) {
      yield item;
      bar.tick();
    }
  } finally {
    bar.finish();
  }
}

/** The same for an async iterable (database replays). */
export async function* withProgressAsync<T>(items: AsyncIterable<T>, bar: ProgressBar): AsyncGenerator<T> {
  try {
    for await (const item of items) {
      yield item;
      bar.tick();
    }
  } finally {
    bar.finish();
  }
}
