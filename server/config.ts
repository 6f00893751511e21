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
}

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
    secret: process.env.ATRIUM_SECRET || undefined,
    redisUrl,
    publicAddress,
    reconnectSeconds: integer("ATRIUM_RECONNECT_SECONDS", 20, 0, 600),
    guestTokenTtlSeconds: integer("ATRIUM_GUEST_TOKEN_TTL", 30 * 24 * 3600, 60, 365 * 24 * 3600),
  };
}
