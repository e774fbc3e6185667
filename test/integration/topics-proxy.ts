// A loopback TCP proxy in front of a real Kafka broker that decodes what clients send: every
// request's header (api key, version, client id) and, for the requests the topic engine's
// config handling uses, the body — IncrementalAlterConfigs v0 (key 44), legacy AlterConfigs
// (33) and DescribeConfigs v0-v2 (32). It forwards bytes unchanged both ways; it only watches.
// Used by the wire tests (test/integration/topics-wire.test.ts) and the e2e suite to count
// connections and prove which keys a request names.
import * as net from "node:net";

export const API_KEYS = {
  AlterConfigs: 33,
  DescribeConfigs: 32,
  IncrementalAlterConfigs: 44,
} as const;

export interface ConfigResource {
  type: number;
  name: string;
  /** IncrementalAlterConfigs / AlterConfigs entries; DescribeConfigs config names (value absent). */
  configs: { name: string; operation?: number; value?: string | null }[] | null;
}

export interface SeenRequest {
  connection: number;
  apiKey: number;
  apiVersion: number;
  clientId: string | null;
  /** Decoded body of the config requests named above; absent for every other request. */
  resources?: ConfigResource[];
  validateOnly?: boolean;
}

export interface KafkaProxy {
  /** `127.0.0.1:<port>`, to put in a client's broker list. */
  address: string;
  requests: SeenRequest[];
  /** TCP connections accepted so far. */
  connections(): number;
  reset(): void;
  close(): Promise<void>;
}

class Reader {
  constructor(
    private readonly buffer: Buffer,
    public offset = 0,
  ) {}
  int8(): number {
    const value = this.buffer.readInt8(this.offset);
    this.offset += 1;
    return value;
  }
  int16(): number {
    const value = this.buffer.readInt16BE(this.offset);
    this.offset += 2;
    return value;
  }
  int32(): number {
    const value = this.buffer.readInt32BE(this.offset);
    this.offset += 4;
    return value;
  }
  string(): string | null {
    const length = this.int16();
    if (length < 0) return null;
    const value = this.buffer.toString("utf8", this.offset, this.offset + length);
    this.offset += length;
    return value;
  }
  array<T>(item: () => T): T[] | null {
    const length = this.int32();
    if (length < 0) return null;
    return Array.from({ length }, item);
  }
}

function decodeBody(
  apiKey: number,
  apiVersion: number,
  body: Reader,
): Pick<SeenRequest, "resources" | "validateOnly"> {
  if (apiKey === API_KEYS.IncrementalAlterConfigs && apiVersion === 0) {
    const resources = body.array(() => ({
      type: body.int8(),
      name: body.string() ?? "",
      configs: body.array(() => ({
        name: body.string() ?? "",
        operation: body.int8(),
        value: body.string(),
      })),
    }));
    return { resources: resources ?? [], validateOnly: body.int8() === 1 };
  }
  if (apiKey === API_KEYS.AlterConfigs && apiVersion <= 1) {
    const resources = body.array(() => ({
      type: body.int8(),
      name: body.string() ?? "",
      configs: body.array(() => ({ name: body.string() ?? "", value: body.string() })),
    }));
    return { resources: resources ?? [], validateOnly: body.int8() === 1 };
  }
  if (apiKey === API_KEYS.DescribeConfigs && apiVersion <= 2) {
    const resources = body.array(() => ({
      type: body.int8(),
      name: body.string() ?? "",
      configs: body.array(() => ({ name: body.string() ?? "" })),
    }));
    return { resources: resources ?? [] };
  }
  return {};
}

/** Starts a proxy on an ephemeral loopback port in front of `target` (`host:port`). */
export async function startKafkaProxy(target: string): Promise<KafkaProxy> {
  const [host, port] = target.split(":");
  const requests: SeenRequest[] = [];
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  let counted = 0;

  const server = net.createServer((client) => {
    const connection = ++accepted;
    counted += 1;
    const upstream = net.connect(Number(port), host ?? "127.0.0.1");
    sockets.add(client);
    sockets.add(upstream);
    let pending = Buffer.alloc(0);
    client.on("data", (chunk: Buffer) => {
      upstream.write(chunk);
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4) {
        const size = pending.readInt32BE(0);
        if (pending.length < 4 + size) break;
        const frame = new Reader(pending.subarray(4, 4 + size));
        const apiKey = frame.int16();
        const apiVersion = frame.int16();
        frame.int32(); // correlation id
        const clientId = frame.string();
        let decoded: Pick<SeenRequest, "resources" | "validateOnly"> = {};
        try {
          decoded = decodeBody(apiKey, apiVersion, frame);
        } catch {
          decoded = {};
        }
        requests.push({ connection, apiKey, apiVersion, clientId, ...decoded });
        pending = pending.subarray(4 + size);
      }
    });
    upstream.on("data", (chunk: Buffer) => client.write(chunk));
    const finish = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("close", finish);
    upstream.on("close", finish);
    client.on("error", finish);
    upstream.on("error", finish);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address() as net.AddressInfo;
  return {
    address: `127.0.0.1:${address.port}`,
    requests,
    connections: () => counted,
    reset: () => {
      requests.length = 0;
      counted = 0;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
