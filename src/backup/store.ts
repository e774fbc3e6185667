/**
 * The S3 edge: every request the backup and restore tooling makes goes through here, on the
 * real AWS SDK (any S3 API: AWS, MinIO, moto). Keys passed in are relative to a broker root
 * (see layout.ts); this class adds the bucket prefix.
 */
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  PutObjectTaggingCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import type { Readable } from "node:stream";
import {
  CHAINS_DIR,
  LATEST_KEY,
  RELEASE_TAG_KEY,
  brokerRoot,
  chainDir,
  isSnapshotId,
  manifestsDir,
  normalizePrefix,
  parseManifestKey,
  releasedMarkerKey,
  type ReleaseClass,
} from "./layout";
import { parseLatest, parseManifest, type LatestPointer, type Manifest } from "./manifest";

export interface S3Settings {
  bucket: string;
  prefix: string;
  region: string;
  /** S3-compatible endpoint (MinIO, moto); unset for AWS. */
  endpoint?: string | undefined;
  forcePathStyle?: boolean | undefined;
  /** SDK attempts per request, including retries of throttling and network errors. Default 3. */
  maxAttempts?: number | undefined;
}

/** Credentials come from the SDK's default chain: IRSA / Pod Identity, or AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY. */
export function createS3Client(settings: S3Settings): S3Client {
  return new S3Client({
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    forcePathStyle: settings.forcePathStyle ?? false,
    maxAttempts: settings.maxAttempts ?? 3,
  });
}

export interface StoredObject {
  key: string;
  size: number;
  lastModified?: Date | undefined;
}

/** lib-storage splits larger bodies into parts of this size (S3's minimum is 5 MiB). */
const PART_SIZE = 8 * 1024 * 1024;

export class SnapshotStore {
  readonly bucket: string;
  readonly prefix: string;

  constructor(
    readonly client: S3Client,
    options: { bucket: string; prefix: string },
  ) {
    this.bucket = options.bucket;
    this.prefix = normalizePrefix(options.prefix);
  }

  fullKey(broker: number, relativeKey: string): string {
    return `${brokerRoot(this.prefix, broker)}${relativeKey}`;
  }

  describe(broker: number, relativeKey = ""): string {
    return `s3://${this.bucket}/${this.fullKey(broker, relativeKey)}`;
  }

  /** Brokers that have anything stored under the prefix. */
  async listBrokers(): Promise<number[]> {
    const prefixes = await this.listCommonPrefixes(`${this.prefix}/`);
    return prefixes
      .map((prefix) => /broker-(\d+)\/$/.exec(prefix)?.[1])
      .filter((id): id is string => id !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  }

  async readLatest(broker: number): Promise<LatestPointer | undefined> {
    const text = await this.getText(broker, LATEST_KEY);
    return text === undefined ? undefined : parseLatest(text, this.describe(broker, LATEST_KEY));
  }

  async readManifest(broker: number, relativeKey: string): Promise<Manifest> {
    const text = await this.getText(broker, relativeKey);
    if (text === undefined)
      throw new Error(`manifest ${this.describe(broker, relativeKey)} does not exist`);
    return parseManifest(text, this.describe(broker, relativeKey));
  }

  /** Writes a small JSON document; returns its size in bytes. */
  async putJson(
    broker: number,
    relativeKey: string,
    value: unknown,
    tags?: Record<string, string>,
  ): Promise<number> {
    const body = `${JSON.stringify(value)}\n`;
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.fullKey(broker, relativeKey),
        Body: body,
        ContentType: "application/json",
        ...(tags ? { Tagging: new URLSearchParams(tags).toString() } : {}),
      }),
    );
    return Buffer.byteLength(body);
  }

  /**
   * Streams `body` into one object (multipart above {@link PART_SIZE}). If the body errors the
   * upload is aborted and nothing becomes visible under `relativeKey`.
   */
  async upload(broker: number, relativeKey: string, body: Readable, queueSize = 2): Promise<void> {
    const upload = new Upload({
      client: this.client,
      params: {
        Bucket: this.bucket,
        Key: this.fullKey(broker, relativeKey),
        Body: body,
        ContentType: "application/octet-stream",
      },
      partSize: PART_SIZE,
      queueSize,
      leavePartsOnError: false,
    });
    await upload.done();
  }

  async getStream(broker: number, relativeKey: string): Promise<Readable> {
    const response = await this.client.send(
      new GetObjectCommand({ Bucket: this.bucket, Key: this.fullKey(broker, relativeKey) }),
    );
    return response.Body as Readable;
  }

  /** Size of an object, or undefined if it does not exist. */
  async headSize(broker: number, relativeKey: string): Promise<number | undefined> {
    try {
      const response = await this.client.send(
        new HeadObjectCommand({ Bucket: this.bucket, Key: this.fullKey(broker, relativeKey) }),
      );
      return response.ContentLength ?? 0;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async listChains(broker: number): Promise<string[]> {
    const root = this.fullKey(broker, CHAINS_DIR);
    const prefixes = await this.listCommonPrefixes(root);
    return prefixes
      .map((prefix) => prefix.slice(root.length).replace(/\/$/, ""))
      .filter(isSnapshotId)
      .sort();
  }

  /** Completed snapshots of a chain (those whose manifest was written). */
  async listChainManifests(
    broker: number,
    chainId: string,
  ): Promise<Array<StoredObject & { snapshotId: string }>> {
    const objects = await this.listObjects(broker, manifestsDir(chainId));
    return objects.flatMap((object) => {
      const ids = parseManifestKey(object.key);
      return ids ? [{ ...object, snapshotId: ids.snapshotId }] : [];
    });
  }

  async isReleased(broker: number, chainId: string): Promise<boolean> {
    return (await this.headSize(broker, releasedMarkerKey(chainId))) !== undefined;
  }

  /** Every object under a chain, keys relative to the broker root. */
  listChainObjects(broker: number, chainId: string): Promise<StoredObject[]> {
    return this.listObjects(broker, chainDir(chainId));
  }

  async tagReleased(
    broker: number,
    relativeKey: string,
    releaseClass: ReleaseClass,
  ): Promise<void> {
    await this.client.send(
      new PutObjectTaggingCommand({
        Bucket: this.bucket,
        Key: this.fullKey(broker, relativeKey),
        Tagging: { TagSet: [{ Key: RELEASE_TAG_KEY, Value: releaseClass }] },
      }),
    );
  }

  private async getText(broker: number, relativeKey: string): Promise<string | undefined> {
    try {
      const response = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.fullKey(broker, relativeKey) }),
      );
      return await response.Body!.transformToString("utf8");
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  private async listObjects(broker: number, relativePrefix: string): Promise<StoredObject[]> {
    const root = brokerRoot(this.prefix, broker);
    const objects: StoredObject[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: `${root}${relativePrefix}`,
          ContinuationToken: token,
        }),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key)
          objects.push({
            key: object.Key.slice(root.length),
            size: object.Size ?? 0,
            lastModified: object.LastModified,
          });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return objects;
  }

  private async listCommonPrefixes(prefix: string): Promise<string[]> {
    const prefixes: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix,
          Delimiter: "/",
          ContinuationToken: token,
        }),
      );
      for (const common of page.CommonPrefixes ?? [])
        if (common.Prefix) prefixes.push(common.Prefix);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return prefixes;
  }
}

export function isNotFound(error: unknown): boolean {
  if (error instanceof S3ServiceException) {
    return (
      error.name === "NoSuchKey" ||
      error.name === "NotFound" ||
      error.$metadata.httpStatusCode === 404
    );
  }
  return false;
}
