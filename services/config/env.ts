/**
 * @module
 * Configuration from environment variables only, validated once at start with zod.
 *
 * A wrong value stops the process with a {@link ConfigError} naming the variable. With nothing set,
 * the embedded default runs everything under `DATA_DIR` (see README, "Configuration"). Every
 * variable is declared once in {@link VARIABLES}; the README's table is checked against it by a test.
 */
import path from 'node:path';
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { ConfigError } from '../errors.ts';

const port = z.coerce.number().int().min(1).max(65535);
const positiveInt = z.coerce.number().int().positive();
const hexKey = z.string().regex(/^(0x)?[0-9a-fA-F]{64}$/, 'must be a 32-byte hex private key');
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 0x-prefixed 20-byte address');
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const url = (protocols: RegExp) => z.string().url().refine((v) => URL.canParse(v) && protocols.test(new URL(v).protocol), `must be a URL with scheme ${protocols.source.replace(/[\^$?()]/g, "")}`);

/** Every variable the system reads, with its default and what it is for (the README's table). */
export const VARIABLES = {
  DATA_DIR: { schema: z.string().default('./data'), doc: 'Where the embedded default keeps its database, objects, chain state and keys.' },
  HOST: { schema: z.string().default('127.0.0.1'), doc: 'Address the HTTP API listens on.' },
  PORT: { schema: port.default(8080), doc: 'Port of the HTTP API.' },
  API_PROCESSES: {
    schema: z.coerce.number().int().min(1).max(64).default(1),
    doc: 'Processes serving the HTTP API on PORT (node:cluster), e.g. one per core; above 1 needs DATABASE_URL. Each has its own DATABASE_POOL_MAX connections.',
  },
  LOG_LEVEL: { schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'), doc: 'pino log level.' },
  DATABASE_URL: { schema: url(/^postgres(ql)?:$/).optional(), doc: 'PostgreSQL server. Unset: embedded PGlite under DATA_DIR, served on EMBEDDED_DATABASE_PORT.' },
  DATABASE_POOL_MAX: { schema: positiveInt.default(10), doc: 'Connections per process to a real PostgreSQL (the embedded database uses one).' },
  DATABASE_READONLY_URL: { schema: url(/^postgres(ql)?:$/).optional(), doc: 'Read-only role used by `crvs audit`. Unset: DATABASE_URL in a read-only transaction.' },
  S3_ENDPOINT: { schema: url(/^https?:$/).optional(), doc: 'S3-compatible endpoint (MinIO, Ceph). Unset: embedded store under DATA_DIR on EMBEDDED_S3_PORT.' },
  S3_REGION: { schema: z.string().default('us-east-1'), doc: 'S3 region.' },
  S3_BUCKET: { schema: z.string().regex(/^[a-z0-9][a-z0-9.-]{2,62}$/, 'must be a valid bucket name').default('crvs-archive'), doc: 'Bucket for scans, page images and OCR output.' },
  S3_ACCESS_KEY_ID: { schema: z.string().default('S3RVER'), doc: 'S3 access key.' },
  S3_SECRET_ACCESS_KEY: { schema: z.string().default('S3RVER'), doc: 'S3 secret key.' },
  S3_FORCE_PATH_STYLE: { schema: bool.default(true), doc: 'Path-style bucket addressing (needed by MinIO and most self-hosted stores).' },
  CHAIN_RPC_URL: { schema: url(/^(https?|wss?):$/).optional(), doc: 'JSON-RPC of the permissioned EVM chain (Besu). Unset: embedded Anvil node on EMBEDDED_CHAIN_PORT.' },
  ANCHOR_CONTRACT_ADDRESS: { schema: address.optional(), doc: 'RegistryAnchor address printed by `crvs chain deploy`. Unset with the embedded chain: deployed on first start.' },
  ANCHOR_MOVE_TO_CONTRACT: {
    schema: address.optional(),
    doc: 'Set to ANCHOR_CONTRACT_ADDRESS to move a registry whose batches are anchored on another contract to this one (all batches anchored again). Unset: the anchor worker refuses such a pairing.',
  },
  ANCHOR_PRIVATE_KEY: { schema: hexKey.optional(), doc: 'Signer of the anchor worker (needs ANCHORER_ROLE). Unset: generated once and kept under DATA_DIR.' },
  CHAIN_ADMIN_PRIVATE_KEY: { schema: hexKey.optional(), doc: 'Contract admin for `crvs chain deploy|grant-anchorer|revoke-anchorer`. Unset: ANCHOR_PRIVATE_KEY.' },
  ANCHOR_WORKER_METRICS_PORT: {
    schema: port.optional(),
    doc: '`crvs worker anchor` serves GET /metrics on HOST at this port (its state and the ledger\'s backlog, as `crvs start` shows them). Unset: no HTTP server.',
  },
  BATCH_MAX_RECORDS: { schema: positiveInt.default(10_000), doc: 'Seal a batch once this many record versions are pending.' },
  BATCH_MAX_WAIT_MS: { schema: positiveInt.default(5_000), doc: 'Seal a batch once the oldest pending version has waited this long.' },
  TESSDATA_DIR: { schema: z.string().default('/usr/share/tesseract-ocr/5/tessdata'), doc: 'Tesseract language data (rus, uzb, uzb_cyrl from Debian packages).' },
  OCR_CONCURRENCY: { schema: positiveInt.default(availableParallelism()), doc: 'OCR workers per process (default: number of cores).' },
  SCAN_MAX_PIXELS: { schema: positiveInt.default(100_000_000), doc: 'Largest scan page decoded, in pixels; a larger one is quarantined (`too-many-pixels`) before it is decompressed.' },
  EMBEDDED_DATABASE_PORT: { schema: port.default(54329), doc: 'Loopback port of the embedded PostgreSQL (PGlite) server.' },
  EMBEDDED_S3_PORT: { schema: port.default(54330), doc: 'Loopback port of the embedded object store.' },
  EMBEDDED_CHAIN_PORT: { schema: port.default(54331), doc: 'Loopback port of the embedded chain node.' },
  PUBLIC_BASE_URL: { schema: url(/^https?:$/).default('http://127.0.0.1:8080'), doc: 'Public address of the verification page, printed in certificates\' QR codes; at most 25 characters keeps the QR code at version 6 (41×41 modules).' },
} as const;

type Variables = typeof VARIABLES;
type Env = { [K in keyof Variables]: z.infer<Variables[K]['schema']> };

export interface Config {
  dataDir: string;
  http: { host: string; port: number; processes: number };
  logLevel: Env['LOG_LEVEL'];
  database: { url: string; readonlyUrl: string | undefined; embedded: boolean; poolMax: number; embeddedPort: number };
  objectStore: {
    endpoint: string;
    region: string;
    bucket: string;
    accessKeyId: string;
    secretAccessKey: string;
    forcePathStyle: boolean;
    embedded: boolean;
    embeddedPort: number;
  };
  chain: {
    rpcUrl: string;
    embedded: boolean;
    embeddedPort: number;
    contractAddress: string | undefined;
    /** ANCHOR_MOVE_TO_CONTRACT: the contract the operator moves the registry's anchorings to. */
    moveToContract: string | undefined;
    anchorPrivateKey: string | undefined;
    adminPrivateKey: string | undefined;
  };
  batch: { maxRecords: number; maxWaitMs: number };
  /** Port of the standalone anchor worker's /metrics (on `http.host`); undefined: none. */
  anchorWorkerMetricsPort: number | undefined;
  ocr: { tessdataDir: string; concurrency: number; maxPixels: number };
  publicBaseUrl: string;
}

/** Parses and validates the environment; throws {@link ConfigError} naming the first bad variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const env = {} as Record<string, unknown>;
  for (const [name, { schema }] of Object.entries(VARIABLES)) {
    const raw = source[name];
    // An empty variable means "not set", as in most shells' `FOO= command`.
    const result = (schema as z.ZodType).safeParse(raw === '' ? undefined : raw);
    if (!result.success) {
      throw new ConfigError(name, result.error.issues[0]?.message ?? 'invalid value');
    }
    env[name] = result.data;
  }
  return toConfig(env as Env);
}

function toConfig(env: Env): Config {
  if (env.API_PROCESSES > 1 && env.DATABASE_URL === undefined) {
    // PGlite has one session, served by the process that started it: other processes could not
    // hear token revocations from it (embedded/notifications.ts), and would queue on its session.
    throw new ConfigError('API_PROCESSES', 'above 1 needs DATABASE_URL: the embedded database serves one process');
  }
  const dataDir = path.resolve(env.DATA_DIR);
  const loopback = '127.0.0.1';
  return {
    dataDir,
    http: { host: env.HOST, port: env.PORT, processes: env.API_PROCESSES },
    logLevel: env.LOG_LEVEL,
    database: {
      url: env.DATABASE_URL ?? `postgres://postgres@${loopback}:${env.EMBEDDED_DATABASE_PORT}/postgres`,
      readonlyUrl: env.DATABASE_READONLY_URL,
      embedded: env.DATABASE_URL === undefined,
      poolMax: env.DATABASE_URL === undefined ? 1 : env.DATABASE_POOL_MAX,
      embeddedPort: env.EMBEDDED_DATABASE_PORT,
    },
    objectStore: {
      endpoint: env.S3_ENDPOINT ?? `http://${loopback}:${env.EMBEDDED_S3_PORT}`,
      region: env.S3_REGION,
      bucket: env.S3_BUCKET,
      accessKeyId: env.S3_ACCESS_KEY_ID,
      secretAccessKey: env.S3_SECRET_ACCESS_KEY,
      forcePathStyle: env.S3_FORCE_PATH_STYLE,
      embedded: env.S3_ENDPOINT === undefined,
      embeddedPort: env.EMBEDDED_S3_PORT,
    },
    chain: {
      rpcUrl: env.CHAIN_RPC_URL ?? `http://${loopback}:${env.EMBEDDED_CHAIN_PORT}`,
      embedded: env.CHAIN_RPC_URL === undefined,
      embeddedPort: env.EMBEDDED_CHAIN_PORT,
      contractAddress: env.ANCHOR_CONTRACT_ADDRESS,
      moveToContract: env.ANCHOR_MOVE_TO_CONTRACT,
      anchorPrivateKey: env.ANCHOR_PRIVATE_KEY,
      adminPrivateKey: env.CHAIN_ADMIN_PRIVATE_KEY,
    },
    batch: { maxRecords: env.BATCH_MAX_RECORDS, maxWaitMs: env.BATCH_MAX_WAIT_MS },
    anchorWorkerMetricsPort: env.ANCHOR_WORKER_METRICS_PORT,
    ocr: { tessdataDir: env.TESSDATA_DIR, concurrency: env.OCR_CONCURRENCY, maxPixels: env.SCAN_MAX_PIXELS },
    publicBaseUrl: env.PUBLIC_BASE_URL.replace(/\/+$/, ''),
  };
}
