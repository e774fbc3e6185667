/**
 * Properties of the reassignment planner (`reassignReplicas`, `planTopic`) over random
 * clusters and partition layouts: what must hold for every input, not one example.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  planTopic,
  reassignReplicas,
  type LiveTopic,
  type PartitionState,
} from "../../src/topics/plan";

/** A cluster of 1–7 brokers with arbitrary distinct ids, and partitions placed on them. */
const layout = fc
  .uniqueArray(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 7 })
  .chain((brokerIds) =>
    fc.record({
      brokerIds: fc.constant(brokerIds),
      replication: fc.integer({ min: 1, max: brokerIds.length }),
      target: fc.integer({ min: 1, max: brokerIds.length }),
      partitionCount: fc.integer({ min: 1, max: 12 }),
    }),
  )
  .chain(({ brokerIds, replication, target, partitionCount }) =>
    fc.record({
      brokerIds: fc.constant(brokerIds),
      target: fc.constant(target),
      partitions: fc.tuple(
        ...Array.from({ length: partitionCount }, (_, id) =>
          fc
            .shuffledSubarray(brokerIds, { minLength: replication, maxLength: replication })
            .chain((replicas) =>
              fc.record({
                id: fc.constant(id),
                leader: fc.constantFrom(...replicas),
                replicas: fc.constant(replicas),
                isrExtra: fc.subarray(replicas),
              }),
            ),
        ),
      ),
    }),
  )
  .map(({ brokerIds, target, partitions }) => ({
    brokerIds,
    target,
    partitions: partitions.map(({ id, leader, replicas, isrExtra }): PartitionState => ({
      id,
      leader,
      replicas,
      isr: [...new Set([leader, ...isrExtra])],
    })),
  }));

describe("reassignReplicas, for every cluster and layout", () => {
  it("brings every partition to exactly the target of distinct live brokers, touching only those that differ", () => {
    fc.assert(
      fc.property(layout, ({ brokerIds, target, partitions }) => {
        const result = reassignReplicas(partitions, target, brokerIds);
        if ("blocked" in result) throw new Error(`blocked: ${result.blocked}`);
        const moved = new Map(result.assignment.map((entry) => [entry.partition, entry.replicas]));
        for (const partition of partitions) {
          const replicas = moved.get(partition.id) ?? partition.replicas;
          expect(new Set(replicas).size).toBe(target);
          expect(replicas.every((id) => brokerIds.includes(id))).toBe(true);
          expect(moved.has(partition.id)).toBe(partition.replicas.length !== target);
        }
      }),
    );
  });

  it("when growing, keeps every current replica in its place; when shrinking, keeps the leader first and never drops an in-sync replica for an out-of-sync one", () => {
    fc.assert(
      fc.property(layout, ({ brokerIds, target, partitions }) => {
        const result = reassignReplicas(partitions, target, brokerIds);
        if ("blocked" in result) throw new Error(`blocked: ${result.blocked}`);
        for (const { partition: id, replicas } of result.assignment) {
          const before = partitions.find((partition) => partition.id === id)!;
          if (replicas.length > before.replicas.length) {
            expect(replicas.slice(0, before.replicas.length)).toEqual(before.replicas);
          } else {
            expect(replicas[0]).toBe(before.leader);
            const keptOutOfSync = replicas.some((replica) => !before.isr.includes(replica));
            const droppedInSync = before.isr.some((replica) => !replicas.includes(replica));
            expect(keptOutOfSync && droppedInSync).toBe(false);
          }
        }
      }),
    );
  });

  it("refuses a target above the broker count, whatever the layout", () => {
    fc.assert(
      fc.property(layout, fc.integer({ min: 1, max: 5 }), ({ brokerIds, partitions }, excess) => {
        const result = reassignReplicas(partitions, brokerIds.length + excess, brokerIds);
        expect(result).toHaveProperty("blocked");
      }),
    );
  });
});

describe("planTopic never loses data", () => {
  it("blocks every partition decrease and plans no operation for it", () => {
    fc.assert(
      fc.property(layout, fc.integer({ min: 1, max: 11 }), ({ brokerIds, partitions }, fewer) => {
        fc.pre(fewer < partitions.length);
        const live: LiveTopic = {
          name: "t",
          partitions,
          configs: { "retention.ms": { value: "1", isOverride: true, readOnly: false } },
        };
        const replication = partitions[0]!.replicas.length;
        const plan = planTopic(
          {
            name: "t",
            partitions: fewer,
            replicationFactor: replication,
            config: { "retention.ms": "1" },
            deletionPolicy: "retain",
          },
          live,
          { brokerIds },
        );
        expect(plan.action).toBe("blocked");
        expect(plan.operations).toEqual({});
        expect(plan.reason).toMatch(/cannot decrease partitions/);
      }),
    );
  });
});
