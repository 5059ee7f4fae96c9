// A bounded hand-off between the parallel range readers and the one consumer of rows(): producers wait
// while it is full, which pauses their sockets, so memory stays flat whatever the table size.

export class BatchQueue<T> {
  private readonly items: T[] = [];
  private readonly waitingProducers: (() => void)[] = [];
  private waitingConsumer: (() => void) | undefined;
  private done = false;
  private failure: { readonly error: unknown } | undefined;

  constructor(private readonly capacity: number) {}

  /** Resolves once the item is queued; resolves false (drops it) when the queue was closed meanwhile. */
  async push(item: T): Promise<boolean> {
    while (this.items.length >= this.capacity && !this.done) {
      await new Promise<void>((resolve) => this.waitingProducers.push(resolve));
    }
    if (this.done) return false;
    this.items.push(item);
    this.wakeConsumer();
    return true;
  }

  /** No more items: the consumer drains what is queued, then ends (or throws `error`). Idempotent. */
  close(error?: unknown): void {
    if (this.done) return;
    this.done = true;
    if (error !== undefined) this.failure = { error };
    for (const wake of this.waitingProducers.splice(0)) wake();
    this.wakeConsumer();
  }

  get closed(): boolean {
    return this.done;
  }

  async *drain(): AsyncGenerator<T> {
    for (;;) {
      if (this.failure) throw this.failure.error;
      const item = this.items.shift();
      if (item !== undefined) {
        this.waitingProducers.shift()?.();
        yield item;
        continue;
      }
      if (this.done) return;
      await new Promise<void>((resolve) => (this.waitingConsumer = resolve));
    }
  }

  private wakeConsumer(): void {
    const wake = this.waitingConsumer;
    this.waitingConsumer = undefined;
    wake?.();
  }
}
