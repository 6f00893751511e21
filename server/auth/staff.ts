import { createHash, randomBytes } from "node:crypto";
import { hash, verify } from "@node-rs/argon2";
import { and, eq, gt, isNull, lt, or, sql } from "drizzle-orm";
import { uuidv7 } from "uuidv7";
import type { Database } from "../../db/client";
import { agentPresence, staffAccounts, staffSessions } from "../../db/schema";
import { isStaffRole, STAFF_ROLES, type StaffRole } from "../../schema/roles";
import type { StaffView } from "../../schema/support";
import { quotedChoices } from "../http/errors";

/**
 * Staff accounts and their console sessions. Passwords are hashed with Argon2id (memory-hard);
 * a session is a random token held by the browser, of which only a SHA-256 is stored, so a
 * leaked database does not sign anyone in.
 */

/** Who is signed in: the same fields the console is shown of its own account. */
export type StaffIdentity = StaffView;

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;
/**
 * After this many wrong passwords in a row, from any addresses, the account waits LOCKOUT_MINUTES before
 * the next try from a new address: a backstop against guessing from many addresses. An address where
 * the account signed in recently is not held to it (signIn's knownAddress), and each address has its
 * own, much lower, limit per account (server/http/throttle.ts), so strangers cannot lock a real agent
 * out of the desk they work at.
 */
export const MAX_FAILED_SIGN_INS = 50;
export const LOCKOUT_MINUTES = 15;

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,190}\.[^\s@]{1,60}$/;

export class StaffAccountError extends Error {}

export function normalizeEmail(value: string): string {
  return value.trim().toLowerCase();
}

export function checkNewAccount(input: {
  email: string;
  displayName: string;
  role: string;
  password: string;
}): string | undefined {
  if (!EMAIL.test(normalizeEmail(input.email))) return "the email address is not valid";
  const name = input.displayName.trim();
  if (name.length === 0 || name.length > 40) return "the display name must be 1-40 characters";
  if (!isStaffRole(input.role)) return `the role must be ${quotedChoices(STAFF_ROLES)}`;
  if (input.password.length < MIN_PASSWORD_LENGTH || input.password.length > MAX_PASSWORD_LENGTH)
    return `the password must be ${MIN_PASSWORD_LENGTH}-${MAX_PASSWORD_LENGTH} characters`;
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
  const account = {
    id: uuidv7(),
    email: normalizeEmail(input.email),
    displayName: input.displayName.trim(),
    role: input.role,
  };
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
  /** "invalid": the password was checked and is wrong; "refused": nothing was checked (no such active account, or locked). */
  | { ok: false; reason: "invalid" | "refused" };

let dummyHash: Promise<string> | undefined;

/** A lockout ends LOCKOUT_MINUTES after the last counted attempt; so does the count of wrong passwords. */
const attemptsForgotten = sql`(${staffAccounts.lastFailedSignInAt} is null or ${staffAccounts.lastFailedSignInAt} <= now() - make_interval(mins => ${LOCKOUT_MINUTES}))`;

/**
 * Every attempt first claims one of the account's MAX_FAILED_SIGN_INS tries in a single conditional
 * UPDATE, counted as failed until the password proves right, so however many requests race, no more
 * than that many passwords are checked per lockout. Unknown, inactive and locked accounts do the same
 * work (one UPDATE, one Argon2 verify) and get the same answer, so neither timing nor the reply tells
 * which addresses have accounts.
 *
 * `knownAddress`: the attempt comes from an address where this account signed in recently; it is
 * counted like any other but not refused by the account-wide lockout, whose guesses come from
 * elsewhere. The caller's per-address limit is what bounds it.
 */
export async function signIn(
  db: Database,
  email: string,
  password: string,
  sessionHours: number,
  { knownAddress = false }: { knownAddress?: boolean } = {},
): Promise<SignInResult> {
  const [account] = await db
    .update(staffAccounts)
    .set({
      failedSignIns: sql`case when ${attemptsForgotten} then 1 else ${staffAccounts.failedSignIns} + 1 end`,
      lastFailedSignInAt: sql`now()`,
    })
    .where(
      and(
        eq(staffAccounts.email, normalizeEmail(email)),
        eq(staffAccounts.active, true),
        knownAddress ? undefined : or(lt(staffAccounts.failedSignIns, MAX_FAILED_SIGN_INS), attemptsForgotten),
      ),
    )
    .returning();
  if (!account) {
    dummyHash ??= hash(generatePassword());
    await verify(await dummyHash, password);
    return { ok: false, reason: "refused" };
  }
  if (!(await verify(account.passwordHash, password))) return { ok: false, reason: "invalid" };
  // Signing in at a known address while the account is locked gives back this try and leaves the
  // lock in place for the other addresses: the strangers' count is not theirs to clear.
  const lockedForOthers = account.failedSignIns > MAX_FAILED_SIGN_INS;
  await db
    .update(staffAccounts)
    .set(
      lockedForOthers
        ? { failedSignIns: sql`${staffAccounts.failedSignIns} - 1` }
        : { failedSignIns: 0, lastFailedSignInAt: null },
    )
    .where(eq(staffAccounts.id, account.id));
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
    .where(
      and(
        eq(staffSessions.tokenHash, tokenHash(token)),
        isNull(staffSessions.revokedAt),
        gt(staffSessions.expiresAt, new Date()),
        eq(staffAccounts.active, true),
      ),
    );
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
  await db
    .update(staffSessions)
    .set({ revokedAt: new Date() })
    .where(and(eq(staffSessions.tokenHash, tokenHash(token)), isNull(staffSessions.revokedAt)));
}

function tokenHash(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

function identity(account: typeof staffAccounts.$inferSelect): StaffIdentity {
  return { id: account.id, email: account.email, displayName: account.displayName, role: account.role };
}
