import { createHash, randomBytes } from "node:crypto";
import { hash, verify } from "@node-rs/argon2";
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import { uuidv7 } from "uuidv7";
import type { Database } from "../../db/client";
import { agentPresence, staffAccounts, staffSessions } from "../../db/schema";

/**
 * Staff accounts and their console sessions. Passwords are hashed with Argon2id (memory-hard);
 * a session is a random token held by the browser, of which only a SHA-256 is stored, so a
 * leaked database does not sign anyone in.
 */

export type StaffRole = "agent" | "manager";

export interface StaffIdentity {
  id: string;
  email: string;
  displayName: string;
  role: StaffRole;
}

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;
/** After this many wrong passwords in a row the account waits LOCKOUT_MINUTES before the next try. */
export const MAX_FAILED_SIGN_INS = 5;
export const LOCKOUT_MINUTES = 15;

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,190}\.[^\s@]{1,60}$/;

export class StaffAccountError extends Error {}

export function normalizeEmail(value: string): string {
  return value.trim().toLowerCase();
}

export function checkNewAccount(input: { email: string; displayName: string; role: string; password: string }): string | undefined {
  if (!EMAIL.test(normalizeEmail(input.email))) return "the email address is not valid";
  const name = input.displayName.trim();
  if (name.length === 0 || name.length > 40) return "the display name must be 1-40 characters";
  if (input.role !== "agent" && input.role !== "manager") return 'the role must be "agent" or "manager"';
  if (input.password.length < MIN_PASSWORD_LENGTH || input.password.length > MAX_PASSWORD_LENGTH) return `the password must be ${MIN_PASSWORD_LENGTH}-${MAX_PASSWORD_LENGTH} characters`;
  return undefined;
}

/** A password that is hard to guess and easy to copy: 20 characters of base64url. */
export function generatePassword(): string {
  return randomBytes(15).toString("base64url");
}

export async function createStaffAccount(
  db: Database,
  input: { email: string; displayName: string; role: StaffRole; password: string },
): Promise<StaffIdentity> {
  const problem = checkNewAccount(input);
  if (problem) throw new StaffAccountError(problem);
  const account = { id: uuidv7(), email: normalizeEmail(input.email), displayName: input.displayName.trim(), role: input.role };
  const passwordHash = await hash(input.password);
  const inserted = await db
    .insert(staffAccounts)
    .values({ ...account, passwordHash })
    .onConflictDoNothing({ target: staffAccounts.email })
    .returning({ id: staffAccounts.id });
  if (inserted.length === 0) throw new StaffAccountError(`there is already a staff account for ${account.email}`);
  if (account.role === "agent") await db.insert(agentPresence).values({ staffId: account.id }).onConflictDoNothing();
  return account;
}

export type SignInResult =
  | { ok: true; token: string; expiresAt: Date; staff: StaffIdentity }
  | { ok: false; reason: "invalid" | "locked"; retryAfterSeconds?: number };

let dummyHash: Promise<string> | undefined;

export async function signIn(db: Database, email: string, password: string, sessionHours: number): Promise<SignInResult> {
  const rows = await db.select().from(staffAccounts).where(eq(staffAccounts.email, normalizeEmail(email)));
  const account = rows[0];
  if (!account || !account.active) {
    // Same work as a real check, so timing does not tell which addresses have accounts.
    dummyHash ??= hash(generatePassword());
    await verify(await dummyHash, password);
    return { ok: false, reason: "invalid" };
  }
  const lockedUntil = account.lastFailedSignInAt ? account.lastFailedSignInAt.getTime() + LOCKOUT_MINUTES * 60_000 : 0;
  if (account.failedSignIns >= MAX_FAILED_SIGN_INS && lockedUntil > Date.now()) {
    return { ok: false, reason: "locked", retryAfterSeconds: Math.ceil((lockedUntil - Date.now()) / 1000) };
  }
  if (!(await verify(account.passwordHash, password))) {
    await db
      .update(staffAccounts)
      .set({ failedSignIns: sql`${staffAccounts.failedSignIns} + 1`, lastFailedSignInAt: new Date() })
      .where(eq(staffAccounts.id, account.id));
    return { ok: false, reason: "invalid" };
  }
  if (account.failedSignIns > 0) await db.update(staffAccounts).set({ failedSignIns: 0 }).where(eq(staffAccounts.id, account.id));
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + sessionHours * 3600_000);
  await db.insert(staffSessions).values({ tokenHash: tokenHash(token), staffId: account.id, expiresAt });
  return { ok: true, token, expiresAt, staff: identity(account) };
}

/** The staff member a session token belongs to, if the session is live and the account active. */
export async function staffForSession(db: Database, token: string): Promise<StaffIdentity | undefined> {
  const rows = await db
    .select({ account: staffAccounts })
    .from(staffSessions)
    .innerJoin(staffAccounts, eq(staffAccounts.id, staffSessions.staffId))
    .where(and(eq(staffSessions.tokenHash, tokenHash(token)), isNull(staffSessions.revokedAt), gt(staffSessions.expiresAt, new Date()), eq(staffAccounts.active, true)));
  return rows[0] ? identity(rows[0].account) : undefined;
}

/** An agent's account as the room sees it when they join: only active agents get in. */
export async function activeAgent(db: Database, staffId: string): Promise<StaffIdentity | undefined> {
  const rows = await db
    .select()
    .from(staffAccounts)
    .where(and(eq(staffAccounts.id, staffId), eq(staffAccounts.active, true), eq(staffAccounts.role, "agent")));
  return rows[0] ? identity(rows[0]) : undefined;
}

export async function signOut(db: Database, token: string): Promise<void> {
  await db.update(staffSessions).set({ revokedAt: new Date() }).where(and(eq(staffSessions.tokenHash, tokenHash(token)), isNull(staffSessions.revokedAt)));
}

function tokenHash(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

function identity(account: typeof staffAccounts.$inferSelect): StaffIdentity {
  return { id: account.id, email: account.email, displayName: account.displayName, role: account.role };
}
