import { and, eq, sql } from "drizzle-orm";
import { uuidv7 } from "uuidv7";
import type { Database } from "../../db/client";
import { interactions, showrooms } from "../../db/schema";
import { PRIVACY_NOTICE_VERSION } from "../../schema/privacy";

export type ConsentCheck =
  | { ok: true; record: { showroomId: string; version: string } | null }
  | { ok: false; code: "unknown_showroom" | "consent_required" | "invalid_consent"; message: string };

/**
 * Whether a guest-token request may be answered: a showroom that requires consent needs the
 * current notice's version in `consent`. A consent given (required or not) is to be recorded.
 */
export async function checkConsent(
  db: Database,
  request: { showroom?: unknown; consent?: unknown },
): Promise<ConsentCheck> {
  const { showroom, consent } = request;
  if (consent !== undefined && (typeof consent !== "string" || consent.length > 40))
    return {
      ok: false,
      code: "invalid_consent",
      message: "consent must be the version of the privacy notice accepted",
    };
  if (showroom === undefined) {
    if (consent !== undefined)
      return { ok: false, code: "invalid_consent", message: "consent is given to a showroom: name it in showroom" };
    return { ok: true, record: null };
  }
  if (typeof showroom !== "string" || showroom.length > 100)
    return { ok: false, code: "unknown_showroom", message: "showroom must be a showroom's slug" };
  const [room] = await db
    .select({ id: showrooms.id, requiresConsent: showrooms.requiresConsent })
    .from(showrooms)
    .where(eq(showrooms.slug, showroom));
  if (!room) return { ok: false, code: "unknown_showroom", message: `There is no showroom called "${showroom}".` };
  if (consent === PRIVACY_NOTICE_VERSION)
    return { ok: true, record: { showroomId: room.id, version: PRIVACY_NOTICE_VERSION } };
  if (!room.requiresConsent && consent === undefined) return { ok: true, record: null };
  return {
    ok: false,
    code: "consent_required",
    message:
      consent === undefined
        ? "This showroom records visits only with your consent: read the privacy notice (/privacy) and accept it to enter."
        : "The privacy notice has changed since you accepted it: read it again (/privacy) and accept it to enter.",
  };
}

/** The visitor's acceptance of the notice, as an interaction of theirs (no visit yet). */
export async function recordConsent(
  db: Database,
  customerId: string,
  given: { showroomId: string; version: string },
): Promise<void> {
  await db.insert(interactions).values({
    id: uuidv7(),
    customerId,
    showroomId: given.showroomId,
    visitId: null,
    type: "consent_given",
    payload: { version: given.version },
    occurredAt: new Date(),
  });
}

/**
 * For the room's onAuth: whether a customer may enter a showroom that requires consent (they
 * accepted the current notice for it). A token asked for without naming the showroom carries no
 * consent, so this is what closes that way in.
 */
export async function mayEnter(db: Database, customerId: string, showroomId: string): Promise<boolean> {
  const [room] = await db
    .select({ requiresConsent: showrooms.requiresConsent })
    .from(showrooms)
    .where(eq(showrooms.id, showroomId));
  if (!room?.requiresConsent) return true;
  const [given] = await db
    .select({ id: interactions.id })
    .from(interactions)
    .where(
      and(
        eq(interactions.customerId, customerId),
        eq(interactions.showroomId, showroomId),
        eq(interactions.type, "consent_given"),
        sql`${interactions.payload}->>'version' = ${PRIVACY_NOTICE_VERSION}`,
      ),
    )
    .limit(1);
  return given !== undefined;
}
