import { parseArgs } from "node:util";
import { hash } from "@node-rs/argon2";
import { and, asc, eq, isNull } from "drizzle-orm";
import { createDatabase, type Database } from "../../db/client";
import { DataFolderInUseError, defaultDataDir, startEmbeddedPostgres, type EmbeddedPostgres } from "../../db/embedded";
import { runMigrations } from "../../db/migrate";
import { staffAccounts, staffSessions } from "../../db/schema";
import {
  checkNewAccount,
  createStaffAccount,
  generatePassword,
  normalizeEmail,
  StaffAccountError,
} from "../auth/staff";
import type { StaffRole } from "../../schema/roles";
import { releaseTicketsOfAgent } from "../support/tickets";

const USAGE = `Manage Atrium's staff accounts (agents and managers).

  staff create --email EMAIL --name "NAME" --role agent|manager [--password-stdin]
  staff list
  staff reset-password --email EMAIL [--password-stdin]
  staff deactivate --email EMAIL

Without --password-stdin a password is generated and printed once. The database is DATABASE_URL,
or the embedded one in ATRIUM_DATA_DIR (stop the server first: the embedded one serves one process).`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      email: { type: "string" },
      name: { type: "string" },
      role: { type: "string" },
      "password-stdin": { type: "boolean" },
      help: { type: "boolean" },
    },
  });
  const command = positionals[0];
  if (values.help || !command || !["create", "list", "reset-password", "deactivate"].includes(command)) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  let embedded: EmbeddedPostgres | undefined;
  let url = process.env.DATABASE_URL;
  if (!url) {
    embedded = await startEmbeddedPostgres(defaultDataDir());
    url = embedded.url;
  }
  const handle = createDatabase(url, { max: 2 });
  try {
    await runMigrations(handle.pool);
    const db = handle.db;
    const password = async () => (values["password-stdin"] ? await readStdin() : generatePassword());
    const email = () => {
      if (!values.email) throw new StaffAccountError("--email is required");
      return normalizeEmail(values.email);
    };
    switch (command) {
      case "create": {
        const chosen = await password();
        const account = await createStaffAccount(db, {
          email: email(),
          displayName: values.name ?? "",
          role: (values.role ?? "") as StaffRole,
          password: chosen,
        });
        console.log(`created ${account.role} ${account.email} (${account.displayName})`);
        if (!values["password-stdin"]) console.log(`password: ${chosen}  (shown once)`);
        return 0;
      }
      case "list": {
        const rows = await db.select().from(staffAccounts).orderBy(asc(staffAccounts.createdAt));
        for (const row of rows)
          console.log(`${row.role.padEnd(8)} ${row.active ? "active  " : "inactive"} ${row.email}  ${row.displayName}`);
        if (rows.length === 0) console.log("no staff accounts yet");
        return 0;
      }
      case "reset-password": {
        const chosen = await password();
        const problem = checkNewAccount({ email: email(), displayName: "x", role: "agent", password: chosen });
        if (problem) throw new StaffAccountError(problem);
        await changeAccountAndSignOut(db, email(), { passwordHash: await hash(chosen), failedSignIns: 0 });
        console.log(`password of ${email()} reset; its sessions are signed out`);
        if (!values["password-stdin"]) console.log(`password: ${chosen}  (shown once)`);
        return 0;
      }
      default: {
        // deactivate
        const account = await changeAccountAndSignOut(db, email(), { active: false });
        const released = await releaseTicketsOfAgent(db, account.id, "agent_deactivated");
        console.log(
          `${email()} deactivated and signed out${released.length > 0 ? `; ${released.length} ticket(s) they held went back to the queue` : ""}`,
        );
        return 0;
      }
    }
  } finally {
    await handle.close();
    await embedded?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof StaffAccountError || error instanceof DataFolderInUseError)
      console.error(`staff: ${error.message}`);
    else console.error("staff: failed:", error);
    process.exit(1);
  },
);

/** Changes a staff account found by email and signs out its open sessions; the account's id. */
async function changeAccountAndSignOut(
  db: Database,
  email: string,
  change: Partial<typeof staffAccounts.$inferInsert>,
): Promise<{ id: string }> {
  const [account] = await db
    .update(staffAccounts)
    .set(change)
    .where(eq(staffAccounts.email, email))
    .returning({ id: staffAccounts.id });
  if (!account) throw new StaffAccountError(`there is no staff account for ${email}`);
  await db
    .update(staffSessions)
    .set({ revokedAt: new Date() })
    .where(and(eq(staffSessions.staffId, account.id), isNull(staffSessions.revokedAt)));
  return account;
}
