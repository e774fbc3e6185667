/**
 * Types for the kafkajs 2.2.4 modules the topic engine reaches past the public API for
 * (see src/topics/kafka.ts): the protocol request table, the error table, and the protocol
 * Encoder / Decoder the IncrementalAlterConfigs request (and, in src/users/wire.ts, the
 * KIP-554 SCRAM requests) are built with.
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

declare module "kafkajs/src/protocol/encoder" {
  class Encoder {
    writeInt8(value: number): this;
    writeInt16(value: number): this;
    writeInt32(value: number): this;
    writeBoolean(value: boolean): this;
    writeString(value: string | null): this;
    writeArray(array: readonly (Encoder | string | number)[]): this;
    /** Flexible versions: compact string, compact bytes (no argument: an empty tagged-field buffer), compact array. */
    writeUVarIntString(value: string | null): this;
    writeUVarIntBytes(value?: Buffer): this;
    writeUVarIntArray(array: readonly Encoder[] | null): this;
  }
  export = Encoder;
}

declare module "kafkajs/src/protocol/decoder" {
  class Decoder {
    constructor(buffer: Buffer);
    readInt8(): number;
    readInt16(): number;
    readInt32(): number;
    readBoolean(): boolean;
    readString(): string | null;
    readArray<T>(reader: (decoder: Decoder) => T): T[];
    /** Flexible versions: compact string, compact array (null when absent), tagged fields (skipped). */
    readUVarIntString(): string | null;
    readUVarIntArray<T>(reader: (decoder: Decoder) => T): T[] | null;
    readTaggedFields(): unknown;
  }
  export = Decoder;
}
