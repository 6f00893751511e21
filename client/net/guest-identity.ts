import type { GuestTokenResponse } from "../../schema/api";
import { requestGuestToken } from "./api";

/**
 * The visitor's guest identity, kept in localStorage so a returning visitor is the same CRM
 * customer: the visitorId and the secret the server gave with it are sent back for a new token,
 * and a token is reused while valid.
 */

const STORAGE_KEY = "atrium.guest";
const NAME_KEY = "atrium.displayName";
/** A token this close to expiry is renewed rather than used for a join. */
const RENEW_BEFORE_MS = 5 * 60_000;

export interface StoredGuest {
  token: string;
  visitorId: string;
  /** Absent only in what browsers stored before the server issued secrets; it gives one on their next return. */
  visitorSecret?: string;
  customerId: string;
  expiresAt: string;
}

function readStored(storage: Storage): StoredGuest | null {
  try {
    const value = JSON.parse(storage.getItem(STORAGE_KEY) ?? "null") as Partial<StoredGuest> | null;
    if (
      value &&
      typeof value.token === "string" &&
      typeof value.visitorId === "string" &&
      typeof value.expiresAt === "string"
    ) {
      return {
        token: value.token,
        visitorId: value.visitorId,
        ...(typeof value.visitorSecret === "string" ? { visitorSecret: value.visitorSecret } : {}),
        customerId: value.customerId ?? "",
        expiresAt: value.expiresAt,
      };
    }
  } catch {
    // A corrupted entry is treated as a first visit.
  }
  return null;
}

/** A token for joining; one given with consent is always fresh, so the server records the consent. */
export async function guestToken(
  baseUrl: string,
  storage: Storage,
  now = Date.now(),
  consent?: { showroom: string; version: string },
): Promise<StoredGuest> {
  const stored = readStored(storage);
  if (!consent && stored && Date.parse(stored.expiresAt) - now > RENEW_BEFORE_MS) return stored;
  const fresh: GuestTokenResponse = await requestGuestToken(baseUrl, stored ?? undefined, consent);
  // The server gives a secret only with a new identity; a returning visitor keeps the one they have.
  const visitorSecret =
    fresh.visitorSecret ?? (fresh.visitorId === stored?.visitorId ? stored.visitorSecret : undefined);
  const guest: StoredGuest = {
    token: fresh.token,
    visitorId: fresh.visitorId,
    ...(visitorSecret ? { visitorSecret } : {}),
    customerId: fresh.customerId,
    expiresAt: fresh.expiresAt,
  };
  storage.setItem(STORAGE_KEY, JSON.stringify(guest));
  return guest;
}

/** Forgets the token (keeps the visitorId and its secret) after the server refused it. */
export function dropGuestToken(storage: Storage): void {
  const stored = readStored(storage);
  if (stored) storage.setItem(STORAGE_KEY, JSON.stringify({ ...stored, expiresAt: new Date(0).toISOString() }));
}

/** The stored guest, without asking the server for one: a browser never seen holds no data. */
export function storedGuest(storage: Storage): StoredGuest | null {
  return readStored(storage);
}

/** Forgets the guest entirely, after their data was erased: the next visit is a new customer. */
export function forgetGuest(storage: Storage): void {
  storage.removeItem(STORAGE_KEY);
  storage.removeItem(NAME_KEY);
}

export function storedDisplayName(storage: Storage): string {
  return storage.getItem(NAME_KEY) ?? "";
}

export function storeDisplayName(storage: Storage, name: string): void {
  storage.setItem(NAME_KEY, name);
}
