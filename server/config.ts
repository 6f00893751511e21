import { defaultDataDir } from "../db/embedded";

export interface AtriumConfig {
  port: number;
  host: string;
  /** A real Postgres server; when absent Atrium runs its own embedded one in dataDir. */
  databaseUrl: string | undefined;
  dataDir: string;
  /** Signing secret for join tokens; when absent one is generated once and kept in the database. */
  secret: string | undefined;
  /** Several processes share rooms through Redis; each must say where clients reach it. */
  redisUrl: string | undefined;
  publicAddress: string | undefined;
  /** Seats held for a dropped visitor before the avatar leaves. */
  reconnectSeconds: number;
  /** How long a visitor's guest token stays valid. */
  guestTokenTtlSeconds: number;
  /** Other origins whose pages may call the API and matchmaking with credentials; empty: same origin only. */
  allowedOrigins: string[];
  /** Express's `trust proxy`: which proxies' X-Forwarded-* headers to believe (client address, https). */
  trustProxy: boolean | number | string;
  /** A bearer token that reads /api/metrics without a manager's session. */
  metricsToken: string | undefined;
  /** Serve the bundles' *.map files (development). */
  serveSourceMaps: boolean;
  /** New guest identities one address may ask for per 10 minutes. */
  guestTokensPerAddress: number;
  /** Rooms are recorded for replay unless ATRIUM_RECORDING=off (each showroom can also opt out). */
  recording: boolean;
}

/** A shorter signing secret could be guessed offline from one token. */
export const MIN_SECRET_LENGTH = 32;

export class ConfigError extends Error {}

/** A whole-number setting from the environment, checked against its range. */
export function integer(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  return value;
}

export function configFromEnv(): AtriumConfig {
  const databaseUrl = process.env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl))
    throw new ConfigError(`DATABASE_URL must start with postgres:// or postgresql://`);
  const redisUrl = process.env.REDIS_URL || undefined;
  const publicAddress = process.env.PUBLIC_ADDRESS || undefined;
  if (redisUrl && !publicAddress)
    throw new ConfigError(
      "With REDIS_URL set (several processes), PUBLIC_ADDRESS must say where clients reach this process, e.g. host:2567",
    );
  return {
    port: integer("PORT", 2567, 0, 65535),
    host: process.env.HOST || "0.0.0.0",
    databaseUrl,
    dataDir: defaultDataDir(),
    secret: signingSecret(),
    redisUrl,
    publicAddress,
    reconnectSeconds: integer("ATRIUM_RECONNECT_SECONDS", 20, 0, 600),
    guestTokenTtlSeconds: integer("ATRIUM_GUEST_TOKEN_TTL", 30 * 24 * 3600, 60, 365 * 24 * 3600),
    allowedOrigins: allowedOrigins(),
    trustProxy: trustProxy(),
    metricsToken: metricsToken(),
    serveSourceMaps: process.env.ATRIUM_SERVE_SOURCEMAPS === "1",
    guestTokensPerAddress: integer("ATRIUM_GUEST_TOKENS_PER_ADDRESS", 60, 1, 1_000_000),
    recording: recordingSwitch(),
  };
}

function signingSecret(): string | undefined {
  const secret = process.env.ATRIUM_SECRET || undefined;
  if (secret !== undefined && secret.length < MIN_SECRET_LENGTH)
    throw new ConfigError(
      `ATRIUM_SECRET must be at least ${MIN_SECRET_LENGTH} characters (it has ${secret.length}); e.g. \`openssl rand -base64 48\`, or leave it unset to have one generated`,
    );
  return secret;
}

function metricsToken(): string | undefined {
  const token = process.env.ATRIUM_METRICS_TOKEN || undefined;
  if (token !== undefined && token.length < MIN_SECRET_LENGTH)
    throw new ConfigError(`ATRIUM_METRICS_TOKEN must be at least ${MIN_SECRET_LENGTH} characters`);
  return token;
}

/** `ATRIUM_ALLOWED_ORIGINS`: comma-separated origins such as https://shop.example (scheme, host, port only). */
function allowedOrigins(): string[] {
  const raw = process.env.ATRIUM_ALLOWED_ORIGINS ?? "";
  return raw
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "")
    .map((entry) => {
      let origin: string;
      try {
        origin = new URL(entry).origin;
      } catch {
        origin = "null";
      }
      if (origin === "null" || origin !== entry.replace(/\/$/, ""))
        throw new ConfigError(
          `ATRIUM_ALLOWED_ORIGINS must list origins like https://shop.example (no path), got "${entry}"`,
        );
      return origin;
    });
}

function recordingSwitch(): boolean {
  const raw = (process.env.ATRIUM_RECORDING ?? "on").trim().toLowerCase();
  if (raw === "on" || raw === "") return true;
  if (raw === "off") return false;
  throw new ConfigError(`ATRIUM_RECORDING must be "on" or "off", got "${raw}"`);
}

/**
 * `ATRIUM_TRUST_PROXY`, as Express reads `trust proxy`: unset or "0" trusts no proxy (the connection's
 * own address counts), "1" the nearest one hop, a number that many hops, anything else a list of
 * addresses/subnets ("loopback", "10.0.0.0/8, 127.0.0.1").
 */
function trustProxy(): boolean | number | string {
  const raw = (process.env.ATRIUM_TRUST_PROXY ?? "").trim();
  if (raw === "" || raw === "0" || raw === "false") return false;
  if (/^\d+$/.test(raw)) return Number(raw);
  if (raw === "true")
    throw new ConfigError(
      'ATRIUM_TRUST_PROXY=true would believe X-Forwarded-For from anyone; give the number of proxies in front (e.g. "1") or their addresses',
    );
  return raw;
}
