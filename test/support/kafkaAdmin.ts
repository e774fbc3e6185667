/** A kafkajs admin client on a real test peer, and the cleanup every peer test ends with. */
import { type Admin, Kafka, type KafkaConfig, logLevel } from "kafkajs";
import { quietKafkajsClockWarning } from "../../src/topics/kafka";

/** A peer's brokers, or its whole client config (the SASL peer needs its credentials). */
export type PeerClient = string[] | Pick<KafkaConfig, "brokers" | "sasl">;

export async function withKafkaAdmin<T>(
  clientId: string,
  peer: PeerClient,
  use: (admin: Admin) => Promise<T>,
): Promise<T> {
  quietKafkajsClockWarning();
  const config = Array.isArray(peer) ? { brokers: peer } : peer;
  const admin = new Kafka({ clientId, logLevel: logLevel.NOTHING, ...config }).admin();
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.disconnect();
  }
}

/**
 * Deletes the topics a test created: those on the peer that `isMine` accepts. Tests share the
 * peers, so each names its own topics (a per-run prefix) and never touches anyone else's.
 */
export async function deleteTestTopics(
  clientId: string,
  peer: PeerClient,
  isMine: (topic: string) => boolean,
): Promise<string[]> {
  return withKafkaAdmin(clientId, peer, async (admin) => {
    const mine = (await admin.listTopics()).filter(isMine);
    if (mine.length > 0) await admin.deleteTopics({ topics: mine, timeout: 60_000 });
    return mine;
  });
}
