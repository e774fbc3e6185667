/**
 * DataLoader-style coalescing of the provider's concurrent calls.
 *
 * The engine sends one call per topic and runs up to `--parallel` of them at once (8 by default
 * on a 2-core machine: the CLI's default is four per core). Calls submitted under the same key
 * within `windowMs` of the first of them (or until `maxBatch` have gathered) are handed to the
 * batch function together, which answers each item with its own outcome: one resource's
 * failure is its own and never fails its neighbours. Only when the batch function itself throws
 * (e.g. the brokers are unreachable) does every item get that one error (the same object, so
 * `providerFailures.ts` reports it once).
 *
 * No I/O here and no knowledge of Kafka: the batch functions live in `providerBatches.ts`.
 */

/** What one item of a batch came to. */
export type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

export const succeeded = <R>(value: R): Outcome<R> => ({ ok: true, value });
export const failed = <R>(error: unknown): Outcome<R> => ({ ok: false, error });

export interface CoalescerOptions {
  /** How long a batch stays open for more calls after its first. Default: 5 ms. */
  windowMs?: number;
  /** A batch is sent as soon as it holds this many items. Default: 500. */
  maxBatch?: number;
}

export const DEFAULT_WINDOW_MS = 5;
export const DEFAULT_MAX_BATCH = 500;

interface Pending<I, R> {
  item: I;
  resolve: (value: R) => void;
  reject: (error: unknown) => void;
}

interface OpenBatch<I, R> {
  pending: Pending<I, R>[];
  timer: NodeJS.Timeout | undefined;
}

/** Runs a batch of items; answers with one outcome per item, in order. */
export type BatchFunction<I, R> = (items: readonly I[]) => Promise<readonly Outcome<R>[]>;

export class Coalescer<I, R> {
  private readonly open = new Map<string, OpenBatch<I, R>>();
  private readonly windowMs: number;
  private readonly maxBatch: number;
  /** Sizes of the batches sent so far (tests and the bench read them). */
  readonly batchSizes: number[] = [];

  constructor(
    private readonly run: BatchFunction<I, R>,
    options: CoalescerOptions = {},
  ) {
    this.windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
    this.maxBatch = Math.max(1, options.maxBatch ?? DEFAULT_MAX_BATCH);
  }

  /** Adds `item` to the open batch of `key` (items of different keys never share a batch). */
  submit(key: string, item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      let batch = this.open.get(key);
      if (!batch) {
        const created: OpenBatch<I, R> = { pending: [], timer: undefined };
        created.timer = setTimeout(() => this.flush(key, created), this.windowMs);
        this.open.set(key, created);
        batch = created;
      }
      batch.pending.push({ item, resolve, reject });
      if (batch.pending.length >= this.maxBatch) this.flush(key, batch);
    });
  }

  private flush(key: string, batch: OpenBatch<I, R>): void {
    clearTimeout(batch.timer);
    if (this.open.get(key) === batch) this.open.delete(key);
    const { pending } = batch;
    this.batchSizes.push(pending.length);
    this.run(pending.map((entry) => entry.item)).then(
      (outcomes) => settle(pending, outcomes),
      (error: unknown) => {
        for (const entry of pending) entry.reject(error);
      },
    );
  }
}

/** Hands each caller its own outcome; a batch function that miscounted fails every caller. */
export function settle<I, R>(
  pending: readonly Pending<I, R>[],
  outcomes: readonly Outcome<R>[],
): void {
  if (outcomes.length !== pending.length) {
    const error = new Error(
      `internal error: a batch of ${pending.length} call(s) came back with ${outcomes.length} result(s)`,
    );
    for (const entry of pending) entry.reject(error);
    return;
  }
  pending.forEach((entry, index) => {
    const outcome = outcomes[index] as Outcome<R>;
    if (outcome.ok) entry.resolve(outcome.value);
    else entry.reject(outcome.error);
  });
}

/**
 * Runs `whole` over all items; should it throw, runs `one` for each item in turn, so every item
 * gets the outcome it would have had alone (its own Kafka error code and message).
 */
export async function wholeThenEach<I, R>(
  items: readonly I[],
  whole: (items: readonly I[]) => Promise<readonly Outcome<R>[]>,
  one: (item: I) => Promise<R>,
): Promise<Outcome<R>[]> {
  try {
    return [...(await whole(items))];
  } catch (error) {
    if (items.length === 1) return [failed(error)];
  }
  const outcomes: Outcome<R>[] = [];
  for (const item of items) outcomes.push(await one(item).then(succeeded<R>, failed<R>));
  return outcomes;
}
