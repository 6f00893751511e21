/**
 * Live support's HTTP shapes, shared by the server's /api/support routes and the agent console.
 * (The in-room support messages are in schema/messages.ts.)
 */

import type { StaffRole, SupportParty } from "./roles";

/**
 * A ticket moves queued → assigned → agent_joined → resolved, or to abandoned when the customer
 * leaves first; a released or unanswered assignment goes back to queued.
 */
export const TICKET_STATUSES = ["queued", "assigned", "agent_joined", "resolved", "abandoned"] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];
/** Waiting for or being served by an agent; a customer has at most one open ticket. */
export const OPEN_TICKET_STATUSES = ["queued", "assigned", "agent_joined"] as const satisfies readonly TicketStatus[];
export type OpenTicketStatus = (typeof OPEN_TICKET_STATUSES)[number];
/** Done with: resolved by an agent, or abandoned by a customer who left. */
export const CLOSED_TICKET_STATUSES = ["resolved", "abandoned"] as const satisfies readonly TicketStatus[];
/** Held by an agent (and counted against their capacity). */
export const HELD_TICKET_STATUSES = ["assigned", "agent_joined"] as const satisfies readonly TicketStatus[];
export type HeldTicketStatus = (typeof HELD_TICKET_STATUSES)[number];

export function isOpenTicketStatus(status: string): status is OpenTicketStatus {
  return (OPEN_TICKET_STATUSES as readonly string[]).includes(status);
}

export function isHeldTicketStatus(status: string): status is HeldTicketStatus {
  return (HELD_TICKET_STATUSES as readonly string[]).includes(status);
}

export const AGENT_STATUSES = ["online", "busy", "away"] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

export interface SignInRequest {
  email: string;
  password: string;
}

/** Staff see their own email; customers never see any. */
export interface StaffView {
  id: string;
  email: string;
  displayName: string;
  role: StaffRole;
}

export interface SignInResponse {
  staff: StaffView;
  expiresAt: string;
}

export interface PresenceRequest {
  status?: AgentStatus;
  capacity?: number;
}

export interface PresenceView {
  status: AgentStatus;
  capacity: number;
  /** Tickets the agent holds now (assigned or joined). */
  held: number;
}

export interface ProductInterest {
  sku: string;
  name: string;
  /** Seconds spent at it (dwell), or times picked up (held). */
  amount: number;
}

export interface TimelineLine {
  id: string;
  type: string;
  at: string;
  /** A line of text for a person: what was said, or what changed. */
  text: string;
  productSku: string | null;
}

/** What an agent needs to know about the customer before walking up to them. */
export interface CustomerSummary {
  id: string;
  /** The name they gave in the showroom, or null for an anonymous guest. */
  name: string | null;
  /**
   * A short label for telling anonymous guests apart (the end of their customer id). The browser's
   * visitor id never leaves the server: whoever presents it is that customer.
   */
  reference: string;
  visits: number;
  lingered: ProductInterest[];
  held: ProductInterest[];
  /** Latest chat and assistant exchanges, newest first. */
  recentLines: TimelineLine[];
  pastTickets: number;
  notes: number;
}

export interface QueueItem {
  ticketId: string;
  status: TicketStatus;
  reason: string;
  message: string | null;
  productSku: string | null;
  productName: string | null;
  showroom: { slug: string; name: string };
  createdAt: string;
  /** 1 for the next to be served; null once assigned. */
  position: number | null;
  requestCount: number;
  /** Held by the viewer; acceptedAt null means auto-assigned and waiting for their accept. */
  mine: boolean;
  acceptedAt: string | null;
  agentName: string | null;
  customer: CustomerSummary;
}

export interface QueueSnapshot {
  at: string;
  /** Queued tickets in all, even beyond the items listed. */
  queued: number;
  items: QueueItem[];
  presence: PresenceView | null;
}

export interface SupportMessageView {
  id: string;
  from: SupportParty;
  text: string;
  sentAt: string;
}

export interface NoteView {
  id: string;
  ticketId: string | null;
  author: string;
  text: string;
  createdAt: string;
}

export interface VisitView {
  showroom: string;
  startedAt: string;
  endedAt: string | null;
}

export interface PastTicketView {
  id: string;
  status: TicketStatus;
  reason: string;
  createdAt: string;
  csatScore: number | null;
}

export interface TicketDetail {
  item: QueueItem;
  /** The ticket's changes, oldest first, with who made them. */
  history: TimelineLine[];
  messages: SupportMessageView[];
  visits: VisitView[];
  pastTickets: PastTicketView[];
  notes: NoteView[];
}

export interface NoteRequest {
  text: string;
  ticketId?: string;
}

export interface RoomTokenRequest {
  ticketId: string;
}

/** Join the showroom with { token, name, role: "agent", ticketId }. */
export interface RoomTokenResponse {
  token: string;
  expiresAt: string;
  slug: string;
  name: string;
  ticketId: string;
}

/** A token for an agent to walk a showroom's floor as a visible agent, for no ticket. */
export type FloorTokenResponse = Omit<RoomTokenResponse, "ticketId">;

export interface CannedResponse {
  id: string;
  title: string;
  text: string;
}

export interface SlaThresholds {
  waitSeconds: number;
  firstResponseSeconds: number;
  resolutionSeconds: number;
}

export interface TicketMeasures {
  ticketId: string;
  status: TicketStatus;
  reason: string;
  showroom: string;
  agentName: string | null;
  createdAt: string;
  /** Seconds; null when not reached yet. */
  waitSeconds: number | null;
  firstResponseSeconds: number | null;
  resolutionSeconds: number | null;
  csat: number | null;
  /** Which thresholds it passed (an open ticket counts its time so far). */
  breached: Array<"wait" | "first_response" | "resolution">;
}

export interface SupportMetrics {
  sla: SlaThresholds;
  from: string;
  to: string;
  tickets: TicketMeasures[];
  summary: {
    tickets: number;
    open: number;
    resolved: number;
    abandoned: number;
    breached: number;
    averageWaitSeconds: number | null;
    averageFirstResponseSeconds: number | null;
    averageResolutionSeconds: number | null;
    averageCsat: number | null;
  };
}
