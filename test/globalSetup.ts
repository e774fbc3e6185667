// Vitest globalSetup: every real test peer is up before any test runs. A peer that cannot be
// started fails the run (tests never skip for want of a peer); teardown stops only what this run started.
import type { TestProject } from "vitest/node";
import { PEER_NAMES, type PeerName, TIER_PEERS, startPeers, stopPeer } from "./peers/peers";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const tier = project.name as keyof typeof TIER_PEERS;
  const reports = await startPeers(TIER_PEERS[tier] ?? PEER_NAMES);
  const startedHere = reports.filter((r) => r.outcome === "started").map((r) => r.name);
  const failures = reports.filter((r) => r.error);
  if (failures.length > 0) {
    await stopAll(startedHere);
    throw new Error(
      `test peers could not be started:\n${failures.map((f) => `${f.name}: ${f.error?.message}`).join("\n\n")}`,
    );
  }
  for (const { name, outcome, ms } of reports)
    console.log(`[peers] ${name}: ${outcome} (${(ms / 1000).toFixed(1)}s)`);
  return () => stopAll(startedHere);
}

async function stopAll(names: PeerName[]): Promise<void> {
  await Promise.all(names.map(stopPeer));
}
