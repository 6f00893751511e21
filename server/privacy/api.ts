import express, { type NextFunction, type Request, type Response } from "express";
import type { Database } from "../../db/client";
import type { AuditPage, CustomerDataExport, ErasureReceipt } from "../../schema/privacy";
import { type StaffIdentity, staffForSession } from "../auth/staff";
import { InvalidTokenError, verifyToken } from "../auth/tokens";
import { answerErrors, HttpError } from "../http/errors";
import { sessionToken } from "../auth/staff-session";
import { auditTrail, recordStaffAccess } from "./audit";
import { findCustomer } from "./customers";
import { eraseCustomer } from "./erasure";
import { exportCustomerData } from "./export";

export interface PrivacyApiServices {
  db: Database;
  secret: string;
}

/** Who is asking: a signed-in staff member, or a customer with their own guest token. */
type Caller = { kind: "staff"; staff: StaffIdentity } | { kind: "customer"; customerId: string };

type Handler = (req: Request, res: Response) => Promise<unknown>;

const STAFF_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MAX_AUDIT_PAGE = 200;

/**
 * Export and erasure (GDPR art. 15 and 17) and the audit trail, mounted at /api before the
 * consoles' router:
 * - GET /me/data, DELETE /me/data (body {"confirm": true}): the customer, by their guest token
 *   (Authorization: Bearer <token from POST /api/guest-token>).
 * - GET /support/customers/:customer/export, POST /support/customers/:customer/erase: a manager
 *   (or the customer themselves with their guest token); :customer is the customer id or the
 *   8-character reference the console shows.
 * - GET /support/audit?customer=&staff=&from=&to=&before=&limit=: managers.
 * Without credentials 401, a staff member who is not a manager or another customer's token 403.
 */
export function privacyRouter(services: PrivacyApiServices): express.Router {
  const { db } = services;
  const router = express.Router();
  router.use(["/me", "/support/customers", "/support/audit"], express.json({ limit: "4kb" }));
  const route = (handler: Handler) => (req: Request, res: Response, next: NextFunction) => {
    handler(req, res).catch(next);
  };

  const identify = async (req: Request): Promise<Caller> => {
    const bearer = /^Bearer (v1\.\S+)$/.exec(req.headers.authorization ?? "");
    if (bearer) {
      try {
        const claims = verifyToken(services.secret, bearer[1]);
        if (claims.role !== "customer") throw new HttpError(403, "forbidden", "This needs a customer's guest token.");
        return { kind: "customer", customerId: claims.sub };
      } catch (error) {
        if (error instanceof InvalidTokenError) throw new HttpError(401, "unauthenticated", error.message);
        throw error;
      }
    }
    const token = sessionToken(req);
    const staff = token ? await staffForSession(db, token) : undefined;
    if (!staff) throw new HttpError(401, "unauthenticated", "Sign in to the console, or use your guest token.");
    return { kind: "staff", staff };
  };

  const manager = async (req: Request): Promise<StaffIdentity> => {
    const caller = await identify(req);
    if (caller.kind !== "staff" || caller.staff.role !== "manager")
      throw new HttpError(403, "forbidden", "This needs a manager account.");
    return caller.staff;
  };

  /** The customer named in the path, and who asks for it: a manager, or that customer. */
  const customerRoute = async (req: Request): Promise<{ customerId: string; caller: Caller }> => {
    const caller = await identify(req);
    if (caller.kind === "staff" && caller.staff.role !== "manager")
      throw new HttpError(403, "forbidden", "This needs a manager account.");
    const named = String(req.params.customer);
    if (caller.kind === "customer") {
      // Any customer but the token's own answers the same 403, known or not, invalid or ambiguous:
      // a 404 for unknown ones would let any guest token probe which ids and references exist.
      const found = await findCustomer(db, named);
      if (found.kind !== "found" || found.customerId !== caller.customerId)
        throw new HttpError(403, "forbidden", "A guest token opens only its own customer's data.");
      return { customerId: found.customerId, caller };
    }
    return { customerId: await customerParam(db, named), caller };
  };

  const ownCustomer = async (req: Request): Promise<string> => {
    const caller = await identify(req);
    if (caller.kind !== "customer") throw new HttpError(403, "forbidden", "This needs a customer's guest token.");
    return caller.customerId;
  };

  const exportFor = async (customerId: string, caller: Caller): Promise<CustomerDataExport> => {
    const data = await exportCustomerData(db, customerId);
    if (!data) throw new HttpError(404, "unknown_customer", "There is no such customer.");
    if (caller.kind === "staff")
      await recordStaffAccess(db, { staffId: caller.staff.id, customerId, action: "export" });
    return data;
  };

  const eraseFor = async (customerId: string, caller: Caller): Promise<ErasureReceipt> => {
    const done = await eraseCustomer(
      db,
      customerId,
      caller.kind === "staff" ? { kind: "staff", staffId: caller.staff.id } : { kind: "customer" },
    );
    if (!done) throw new HttpError(404, "unknown_customer", "There is no such customer.");
    if (caller.kind === "staff") await recordStaffAccess(db, { staffId: caller.staff.id, customerId, action: "erase" });
    return done;
  };

  router.get(
    "/me/data",
    route(async (req, res) => {
      const customerId = await ownCustomer(req);
      res.setHeader("cache-control", "no-store");
      res.json(await exportFor(customerId, { kind: "customer", customerId }));
    }),
  );

  router.delete(
    "/me/data",
    route(async (req, res) => {
      const customerId = await ownCustomer(req);
      requireConfirmation(req.body);
      res.json(await eraseFor(customerId, { kind: "customer", customerId }));
    }),
  );

  router.get(
    "/support/customers/:customer/export",
    route(async (req, res) => {
      const { customerId, caller } = await customerRoute(req);
      res.setHeader("cache-control", "no-store");
      res.json(await exportFor(customerId, caller));
    }),
  );

  router.post(
    "/support/customers/:customer/erase",
    route(async (req, res) => {
      const { customerId, caller } = await customerRoute(req);
      // A customer erasing themselves confirms it here as on DELETE /me/data.
      if (caller.kind === "customer") requireConfirmation(req.body);
      res.json(await eraseFor(customerId, caller));
    }),
  );

  router.get(
    "/support/audit",
    route(async (req, res) => {
      await manager(req);
      const query = req.query;
      const staffId = optionalString(query.staff, "staff");
      if (staffId !== undefined && !STAFF_ID.test(staffId))
        throw new HttpError(400, "invalid_staff", "staff must be a staff account id");
      const before = optionalString(query.before, "before");
      if (before !== undefined && !STAFF_ID.test(before))
        throw new HttpError(400, "invalid_cursor", "before must be the next value of a previous page");
      const limitText = optionalString(query.limit, "limit");
      const limit = limitText === undefined ? 50 : Number(limitText);
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_AUDIT_PAGE)
        throw new HttpError(400, "invalid_limit", `limit must be a whole number from 1 to ${MAX_AUDIT_PAGE}`);
      const from = dateParam(query.from, "from");
      const to = dateParam(query.to, "to");
      if (from && to && from >= to) throw new HttpError(400, "invalid_range", "from must be before to");
      const customer = optionalString(query.customer, "customer");
      const page: AuditPage = await auditTrail(db, {
        customerId: customer === undefined ? undefined : await customerParam(db, customer),
        staffId,
        from,
        to,
        before,
        limit,
      });
      res.json(page);
    }),
  );

  router.use(["/me", "/support/customers", "/support/audit"], answerErrors("[privacy]"));
  return router;
}

async function customerParam(db: Database, value: string): Promise<string> {
  const found = await findCustomer(db, value);
  switch (found.kind) {
    case "found":
      return found.customerId;
    case "invalid":
      throw new HttpError(400, "invalid_customer", "Name the customer by their id or the 8-character reference.");
    case "unknown":
      throw new HttpError(404, "unknown_customer", "There is no such customer.");
    case "ambiguous":
      throw new HttpError(409, "ambiguous_reference", "Several customers share this reference: use the customer id.");
  }
}

function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value.length > 100)
    throw new HttpError(400, `invalid_${name}`, `${name} must be given once, as text`);
  return value.toLowerCase();
}

function dateParam(value: unknown, name: string): Date | undefined {
  if (value === undefined) return undefined;
  const date = typeof value === "string" ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) throw new HttpError(400, "invalid_date", `${name} must be an ISO date`);
  return date;
}

/** Erasure cannot be undone: the customer's request must say so, `{"confirm": true}`. */
function requireConfirmation(body: unknown): void {
  if (typeof body !== "object" || body === null || (body as { confirm?: unknown }).confirm !== true)
    throw new HttpError(400, "confirmation_required", 'Erasing your data cannot be undone: send {"confirm": true}.');
}
