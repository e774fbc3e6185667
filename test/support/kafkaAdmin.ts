/** A kafkajs admin client on a real test peer, for the duration of `use`. */
import { type Admin, Kafka, logLevel } from "kafkajs";

export async function withKafkaAdmin<T>(
  clientId: string,
  brokers: string[],
  use: (admin: Admin) => Promise<T>,
): Promise<T> {
  const admin = new Kafka({ clientId, brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.disconnect();
  }
}
