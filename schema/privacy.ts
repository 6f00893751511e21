/** Privacy: the notice's version, and the shapes of the export, erasure and audit APIs. */

/** Bumped whenever client/static/privacy.html changes what it says; consent names the version accepted. */
export const PRIVACY_NOTICE_VERSION = "2025-06-01";

/** Everything held about one customer (GDPR art. 15), as GET /api/me/data and the manager export return it. */
export interface CustomerDataExport {
  exportedAt: string;
  noticeVersion: string;
  profile: {
    id: string;
    visitorId: string;
    displayName: string | null;
    email: string | null;
    createdAt: string;
    lastSeenAt: string;
    erasedAt: string | null;
  };
  visits: Array<{ id: string; showroom: string; startedAt: string; endedAt: string | null }>;
  interactions: Array<{
    id: string;
    showroom: string;
    visitId: string | null;
    type: string;
    productSku: string | null;
    payload: Record<string, unknown>;
    occurredAt: string;
  }>;
  tickets: Array<{
    id: string;
    showroom: string;
    reason: string;
    message: string | null;
    status: string;
    productSku: string | null;
    createdAt: string;
    closedAt: string | null;
    csatScore: number | null;
    csatComment: string | null;
  }>;
  /** Staff's notes about the customer (on tickets or not). */
  notes: Array<{ id: string; ticketId: string | null; text: string; createdAt: string }>;
  demoRequests: Array<{ id: string; showroom: string; productSku: string | null; message: string; createdAt: string }>;
  quoteRequests: Array<{
    id: string;
    showroom: string;
    items: Array<{ sku: string; quantity: number }>;
    message: string;
    createdAt: string;
  }>;
  /** Recordings of showroom sessions the customer was in (managers replay them at /manager/recordings/:id). */
  recordings: Array<{ id: string; showroom: string; startedAt: string; endedAt: string | null }>;
}

/** The answer to an erasure, the same for every repeat of it. */
export interface ErasureReceipt {
  erasureId: string;
  customerId: string;
  erasedAt: string;
  requestedBy: "customer" | "staff";
  counts: ErasureCounts;
}

/** How many rows one erasure deleted or anonymized, per kind of data. */
export interface ErasureCounts {
  customers: number;
  visitsClosed: number;
  interactions: number;
  tickets: number;
  notes: number;
  demoRequests: number;
  quoteRequests: number;
  /** Recordings whose visitor list named them. */
  recordings: number;
}

export interface AuditEntry {
  id: string;
  staffId: string;
  staffName: string;
  customerId: string;
  action: "ticket_detail" | "export" | "erase" | "recording";
  ticketId: string | null;
  at: string;
}

export interface AuditPage {
  entries: AuditEntry[];
  /** Pass as `before` for the next (older) page; null on the last page. */
  next: string | null;
}
