import { sql } from "drizzle-orm";
import { type Database, theRow } from "../../db/client";
import { staffAccounts } from "../../db/schema";
import { createStaffAccount, generatePassword, StaffAccountError } from "../auth/staff";

export const DEMO_STAFF = [
  { email: "agent@demo.atrium.local", displayName: "Alex (demo agent)", role: "agent" },
  { email: "manager@demo.atrium.local", displayName: "Morgan (demo manager)", role: "manager" },
] as const;

/**
 * On an installation without any staff, makes a demo agent and manager with generated passwords
 * and prints them, once: they are stored only as hashes. Two processes starting together make
 * each account once (the email is unique) and only the one that made it prints it.
 */
export async function ensureDemoStaff(db: Database, log: (line: string) => void): Promise<void> {
  const { n } = theRow(await db.select({ n: sql<number>`count(*)::int` }).from(staffAccounts), "the staff count");
  if (n > 0) return;
  for (const account of DEMO_STAFF) {
    const password = generatePassword();
    try {
      await createStaffAccount(db, { ...account, password });
      log(
        `[support] demo ${account.role} created: ${account.email} / ${password}  (shown once; add staff with the staff command)`,
      );
    } catch (error) {
      if (!(error instanceof StaffAccountError)) throw error;
    }
  }
}
