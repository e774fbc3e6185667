/**
 * Types for the two kafkajs 2.2.4 modules the topic engine reaches past the public API for
 * (see src/topics/kafka.ts): the protocol request table and the error table.
 */
declare module "kafkajs/src/protocol/requests" {
  export interface RequestDefinitions {
    versions: string[];
    protocol(options: { version: number }): (options: object) => unknown;
  }
  export const requests: Record<string, RequestDefinitions>;
}

declare module "kafkajs/src/protocol/requests/apiKeys" {
  const apiKeys: Record<string, number>;
  export = apiKeys;
}

declare module "kafkajs/src/protocol/error" {
  export function createErrorFromCode(code: number): Error & { type?: string; retriable?: boolean };
}
