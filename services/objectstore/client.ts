/**
 * @module
 * S3-compatible object storage through `@aws-sdk/client-s3`: the same code for AWS S3, MinIO,
 * Ceph and the embedded store. Objects are content-addressed by the scanner pipeline; this module
 * only moves bytes and metadata.
 */
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import type { Config } from '../config/env.ts';
import { ServiceUnavailableError } from '../errors.ts';

export interface ObjectStore {
  client: S3Client;
  bucket: string;
}

/**
 * SHA-256 of an object's bytes, lowercase hex: the content address of stored scans and the value
 * committed to the ledger, so the pipeline that writes and the auditor that checks use this one.
 */
export const sha256Hex = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');

export function connectObjectStore(config: Config): ObjectStore {
  const o = config.objectStore;
  const client = new S3Client({
    endpoint: o.endpoint,
    region: o.region,
    forcePathStyle: o.forcePathStyle,
    credentials: { accessKeyId: o.accessKeyId, secretAccessKey: o.secretAccessKey },
    // SDK v3 sends CRC32 checksums by default, which many S3-compatible stores reject or ignore;
    // fixity is ours (SHA-256 in metadata and in the ledger), so send checksums only when required.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 3,
  });
  return { client, bucket: o.bucket };
}

/** Creates the bucket when it does not exist yet (first start, tests). */
export async function ensureBucket(store: ObjectStore): Promise<void> {
  try {
    await store.client.send(new HeadBucketCommand({ Bucket: store.bucket }));
  } catch (error) {
    if (!isNotFound(error)) throw unavailable(error);
    await store.client.send(new CreateBucketCommand({ Bucket: store.bucket }));
  }
}

export async function pingObjectStore(store: ObjectStore): Promise<void> {
  try {
    await store.client.send(new HeadBucketCommand({ Bucket: store.bucket }));
  } catch (error) {
    throw unavailable(error);
  }
}

export async function putObject(
  store: ObjectStore,
  key: string,
  body: Uint8Array | string,
  options: { contentType?: string; metadata?: Record<string, string> } = {},
): Promise<void> {
  await store.client.send(
    new PutObjectCommand({
      Bucket: store.bucket,
      Key: key,
      Body: body,
      ContentType: options.contentType,
      Metadata: options.metadata,
    }),
  );
}

/** The object's bytes, or `null` when there is no such object. */
export async function getObject(store: ObjectStore, key: string): Promise<Uint8Array | null> {
  try {
    const out = await store.client.send(new GetObjectCommand({ Bucket: store.bucket, Key: key }));
    return out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

/**
 * {@link sha256Hex} of a stored object, hashed as it streams in (archival scans run to tens of
 * megabytes; fixity checks thousands of them), or `null` when there is no such object.
 */
export async function storedObjectSha256(store: ObjectStore, key: string): Promise<string | null> {
  try {
    const out = await store.client.send(new GetObjectCommand({ Bucket: store.bucket, Key: key }));
    const hash = createHash('sha256');
    // In Node the body is an http.IncomingMessage: a Readable, read chunk by chunk.
    if (out.Body) for await (const chunk of out.Body as AsyncIterable<Uint8Array>) hash.update(chunk);
    return hash.digest('hex');
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

/** The object's user metadata, or `null` when there is no such object. */
export async function headObject(store: ObjectStore, key: string): Promise<Record<string, string> | null> {
  try {
    const out = await store.client.send(new HeadObjectCommand({ Bucket: store.bucket, Key: key }));
    return out.Metadata ?? {};
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

function isNotFound(error: unknown): boolean {
  if (error instanceof NoSuchKey || error instanceof NotFound) return true;
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NotFound' || e?.name === 'NoSuchBucket' || e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
}

function unavailable(error: unknown): ServiceUnavailableError {
  return new ServiceUnavailableError('object store', (error as Error).message || (error as Error).name, error);
}
