import { describe, expect, it } from "vitest";
import {
  Coalescer,
  failed,
  type Outcome,
  succeeded,
  wholeThenEach,
} from "../../src/topics/coalesce";

const doubled = (items: readonly number[]): Promise<readonly Outcome<number>[]> =>
  Promise.resolve(items.map((item) => succeeded(item * 2)));

describe("coalescing concurrent provider calls", () => {
  it("calls submitted together under one key run as one batch, each answered with its own result", async () => {
    const seen: number[][] = [];
    const coalescer = new Coalescer<number, number>((items) => {
      seen.push([...items]);
      return doubled(items);
    });
    const results = await Promise.all([1, 2, 3].map((item) => coalescer.submit("k", item)));
    expect(results).toEqual([2, 4, 6]);
    expect(seen).toEqual([[1, 2, 3]]);
    expect(coalescer.batchSizes).toEqual([3]);
  });

  it("different keys never share a batch", async () => {
    const seen: number[][] = [];
    const coalescer = new Coalescer<number, number>((items) => {
      seen.push([...items]);
      return doubled(items);
    });
    await Promise.all([
      coalescer.submit("a", 1),
      coalescer.submit("b", 2),
      coalescer.submit("a", 3),
    ]);
    expect(seen).toEqual([[1, 3], [2]]);
  });

  it("a full batch is sent at once; the rest wait for the next", async () => {
    const coalescer = new Coalescer<number, number>(doubled, { maxBatch: 2, windowMs: 1000 });
    const started = Date.now();
    await Promise.all([coalescer.submit("k", 1), coalescer.submit("k", 2)]);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(coalescer.batchSizes).toEqual([2]);
  });

  it("a failed item fails alone; its neighbours get their results", async () => {
    const coalescer = new Coalescer<number, number>((items) =>
      Promise.resolve(
        items.map((item) =>
          item === 2 ? failed<number>(new Error("two: POLICY_VIOLATION")) : succeeded(item),
        ),
      ),
    );
    const outcomes = await Promise.allSettled([1, 2, 3].map((item) => coalescer.submit("k", item)));
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      "fulfilled",
      "rejected",
      "fulfilled",
    ]);
    expect((outcomes[1] as PromiseRejectedResult).reason.message).toBe("two: POLICY_VIOLATION");
  });

  it("a batch function that throws fails every item with that one error", async () => {
    const error = new Error("brokers unreachable");
    const coalescer = new Coalescer<number, number>(() => Promise.reject(error));
    const outcomes = await Promise.allSettled([1, 2].map((item) => coalescer.submit("k", item)));
    for (const outcome of outcomes) expect((outcome as PromiseRejectedResult).reason).toBe(error);
  });

  it("a batch answered with the wrong number of results fails every item, never misroutes", async () => {
    const coalescer = new Coalescer<number, number>(() => Promise.resolve([succeeded(1)]));
    const outcomes = await Promise.allSettled([1, 2].map((item) => coalescer.submit("k", item)));
    for (const outcome of outcomes) expect(outcome.status).toBe("rejected");
  });

  it("wholeThenEach: when the whole batch is refused, each item is redone alone for its own outcome", async () => {
    const outcomes = await wholeThenEach(
      [1, 2, 3],
      () => Promise.reject(new Error("batch refused")),
      (item) => (item === 2 ? Promise.reject(new Error("2 refused")) : Promise.resolve(item * 10)),
    );
    expect(
      outcomes.map((outcome) => (outcome.ok ? outcome.value : (outcome.error as Error).message)),
    ).toEqual([10, "2 refused", 30]);
  });

  it("wholeThenEach: a single item's failure is not retried", async () => {
    let alone = 0;
    const outcomes = await wholeThenEach(
      [1],
      () => Promise.reject(new Error("refused")),
      () => {
        alone += 1;
        return Promise.resolve(1);
      },
    );
    expect(alone).toBe(0);
    expect(outcomes[0]?.ok).toBe(false);
  });
});
