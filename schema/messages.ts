/**
 * The messages a showroom client and server exchange, with the validators that guard the
 * server's door. Every client message is checked here once; past this point it is trusted.
 */

import { POSE_STRIDE } from "../ecs/components";
import type { Role as RoleCode } from "../ecs/types";
import { decodePoseMessage, POSE_MESSAGE_BYTES } from "./codec";
import type { SupportParty } from "./roles";
import type { TicketStatus } from "./support";

export const MAX_CHAT_LENGTH = 500;
/** No client message is legitimately larger than this (bytes, as encoded on the wire). */
export const MAX_MESSAGE_BYTES = 2048;

export type HandIndex = 0 | 1;

/** Client → server. */
export interface ClientMessages {
  /**
   * Head, left hand, right hand: [x, y, z, qx, qy, qz, qw] each, metres and unit quaternions.
   * It travels as POSE_MESSAGE_BYTES bytes (encodePoseMessage, sent with sendBytes) and is
   * validated into this shape; sent as an ordinary message it is refused.
   */
  pose: number[];
  teleport: { x: number; z: number };
  grab: { sku: string; hand: HandIndex };
  release: { hand: HandIndex };
  chat: { text: string; clientMessageId: string };
  /** A question for the in-room assistant; the reply goes to the asker only. */
  ask: { text: string; clientMessageId: string; locale: "en" | "zh" | null };
  /** Live support (below): ask for a person, talk privately with them, rate the help. */
  "support:request": SupportRequestMessage;
  "support:say": SupportSayMessage;
  "support:csat": SupportCsatMessage;
}
export type ClientMessageType = keyof ClientMessages;
export const CLIENT_MESSAGE_TYPES: readonly ClientMessageType[] = [
  "pose",
  "teleport",
  "grab",
  "release",
  "chat",
  "ask",
  "support:request",
  "support:say",
  "support:csat",
];

export interface ChatLine {
  id: string;
  sessionId: string;
  name: string;
  /** The speaker's ecs Role code. */
  role: RoleCode;
  text: string;
  sentAt: string;
}

/** Server → client. */
export interface ServerMessages {
  welcome: { sessionId: string; customerId: string; visitId: string; name: string; resumed: boolean };
  chat: ChatLine;
  "chat:ack": { clientMessageId: string; id: string };
  "chat:refused": { clientMessageId: string; reason: string };
  "grab:refused": { sku: string; hand: HandIndex; reason: string };
  "teleport:refused": { reason: string };
  /** A message was malformed or too frequent; it changed nothing. */
  refused: { type: string; reason: string };
  "assistant:reply": AssistantReplyMessage;
  /** Live support (below). */
  "support:status": { ticket: SupportTicketView | null };
  "support:requested": { ticketId: string; merged: boolean };
  "support:say": SupportLine;
  "support:say:ack": { clientMessageId: string; id: string };
  "support:customer": { ticketId: string; sessionId: string; name: string };
  "support:csat:ack": { ticketId: string };
  "support:refused": { type: string; reason: string };
}

export interface AssistantReplyMessage {
  clientMessageId: string;
  /** The interaction id of the exchange in the CRM. */
  id: string;
  text: string;
  intent: string;
  score: number;
  locale: "en" | "zh";
  clarifying: boolean;
  action?:
    | { kind: "navigate"; sku: string; position: [number, number, number] }
    | { kind: "training"; trainingId: string }
    | { kind: "demo_requested"; id: string }
    | { kind: "quote_requested"; id: string }
    | { kind: "support_requested"; ticketId: string };
}

/** A chat line starting with this goes to the assistant instead of the room. */
export const ASSISTANT_MENTION = /^@assistant\b[\s,:]*/i;

export type Validation<T> = { ok: true; value: T } | { ok: false; reason: string };

const ok = <T>(value: T): Validation<T> => ({ ok: true, value });
const fail = <T>(reason: string): Validation<T> => ({ ok: false, reason });

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function onlyKeys(value: Record<string, unknown>, keys: readonly string[]): string | undefined {
  for (const key of Object.keys(value)) if (!keys.includes(key)) return `unexpected field "${key}"`;
  return undefined;
}

function isHand(value: unknown): value is HandIndex {
  return value === 0 || value === 1;
}

/** The bytes of a pose message, decoded; 30 bytes cannot hold a NaN, so only length and rotations can be wrong. */
export function validatePose(message: unknown): Validation<number[]> {
  if (!(message instanceof Uint8Array))
    return fail(`pose must be sent as ${POSE_MESSAGE_BYTES} bytes (encodePoseMessage with sendBytes)`);
  const pose = new Array<number>(POSE_STRIDE);
  const problem = decodePoseMessage(message, pose);
  return problem === null ? ok(pose) : fail(problem);
}

export function validateTeleport(message: unknown): Validation<ClientMessages["teleport"]> {
  if (!isRecord(message)) return fail("teleport must be an object");
  const extra = onlyKeys(message, ["x", "z"]);
  if (extra) return fail(extra);
  const { x, z } = message;
  if (typeof x !== "number" || !Number.isFinite(x) || typeof z !== "number" || !Number.isFinite(z))
    return fail("teleport needs finite x and z");
  return ok({ x, z });
}

const SKU_PATTERN = /^[A-Z0-9][A-Z0-9-]{0,63}$/;

export function validateGrab(message: unknown): Validation<ClientMessages["grab"]> {
  if (!isRecord(message)) return fail("grab must be an object");
  const extra = onlyKeys(message, ["sku", "hand"]);
  if (extra) return fail(extra);
  const { sku, hand } = message;
  if (typeof sku !== "string" || !SKU_PATTERN.test(sku)) return fail("grab needs a product sku");
  if (!isHand(hand)) return fail("hand must be 0 (left) or 1 (right)");
  return ok({ sku, hand });
}

export function validateRelease(message: unknown): Validation<ClientMessages["release"]> {
  if (!isRecord(message)) return fail("release must be an object");
  const extra = onlyKeys(message, ["hand"]);
  if (extra) return fail(extra);
  if (!isHand(message.hand)) return fail("hand must be 0 (left) or 1 (right)");
  return ok({ hand: message.hand });
}

export const CLIENT_MESSAGE_ID = /^[A-Za-z0-9_-]{1,64}$/;
// Control characters other than tab and newline have no place in a chat line.
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B-\u001F\u007F]/;
/** Half of a UTF-16 surrogate pair on its own: not a character, and Postgres refuses it in jsonb. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function validateChat(message: unknown): Validation<ClientMessages["chat"]> {
  if (!isRecord(message)) return fail("chat must be an object");
  const extra = onlyKeys(message, ["text", "clientMessageId"]);
  if (extra) return fail(extra);
  const { text, clientMessageId } = message;
  if (typeof clientMessageId !== "string" || !CLIENT_MESSAGE_ID.test(clientMessageId))
    return fail("chat needs a clientMessageId (1-64 letters, digits, _ or -)");
  if (typeof text !== "string") return fail("chat text must be a string");
  const trimmed = text.trim();
  if (trimmed.length === 0) return fail("chat text is empty");
  if (trimmed.length > MAX_CHAT_LENGTH) return fail(`chat text is longer than ${MAX_CHAT_LENGTH} characters`);
  if (CONTROL_CHARACTERS.test(trimmed)) return fail("chat text contains control characters");
  if (LONE_SURROGATE.test(trimmed)) return fail("chat text is not valid Unicode (a lone surrogate)");
  return ok({ text: trimmed, clientMessageId });
}

export function validateAsk(message: unknown): Validation<ClientMessages["ask"]> {
  if (!isRecord(message)) return fail("ask must be an object");
  const extra = onlyKeys(message, ["text", "clientMessageId", "locale"]);
  if (extra) return fail(extra);
  const { locale } = message;
  if (locale !== undefined && locale !== null && locale !== "en" && locale !== "zh")
    return fail('locale must be "en", "zh" or null');
  const chat = validateChat({ text: message.text, clientMessageId: message.clientMessageId });
  if (!chat.ok) return fail(chat.reason.replace(/^chat/, "ask"));
  return ok({ ...chat.value, locale: locale ?? null });
}

export const validators: { [K in ClientMessageType]: (message: unknown) => Validation<ClientMessages[K]> } = {
  pose: validatePose,
  teleport: validateTeleport,
  grab: validateGrab,
  release: validateRelease,
  chat: validateChat,
  ask: validateAsk,
  "support:request": validateSupportRequest,
  "support:say": validateSupportSay,
  "support:csat": validateSupportCsat,
};

/** Options a client passes when joining a showroom room. */
export interface JoinOptions {
  /** Signed by the server: GET a guest token from /api/guest-token (or, for staff, the console). */
  token: string;
  name?: string;
}

export const MAX_DISPLAY_NAME = 40;
// A name is one line: no C0/C1 control characters at all, tabs and newlines included.
const NAME_FORBIDDEN = /[\u0000-\u001F\u007F-\u009F]/;

export function validateDisplayName(value: unknown): Validation<string> {
  if (value === undefined || value === null || value === "") return ok("");
  if (typeof value !== "string") return fail("name must be a string");
  const trimmed = value.trim();
  if (trimmed.length > MAX_DISPLAY_NAME) return fail(`name is longer than ${MAX_DISPLAY_NAME} characters`);
  if (NAME_FORBIDDEN.test(trimmed)) return fail("name contains control characters or line breaks");
  if (LONE_SURROGATE.test(trimmed)) return fail("name is not valid Unicode (a lone surrogate)");
  return ok(trimmed);
}

// Live support: a customer asks for a person, waits with a place in the queue, talks privately
// with the agent who comes, and rates the help once it is resolved.

export const MAX_SUPPORT_MESSAGE_LENGTH = 500;
export const MAX_CSAT_COMMENT_LENGTH = 1000;

export interface SupportRequestMessage {
  /** What they need, in their words. */
  message?: string;
  /** The product they are at, when the client knows it; the server checks it is in the showroom. */
  productSku?: string;
}

/** A customer's line goes to their open ticket; an agent names the ticket. */
export interface SupportSayMessage {
  text: string;
  clientMessageId: string;
  ticketId?: string;
}

export interface SupportCsatMessage {
  ticketId: string;
  /** 1 (poor) to 5 (excellent). */
  score: number;
  comment?: string;
}

/** The customer's own request as they see it: no other customer's, and no staff email. */
export interface SupportTicketView {
  ticketId: string;
  /** An abandoned ticket is never shown: the customer left. */
  status: Exclude<TicketStatus, "abandoned">;
  /** 1 when next; null once an agent has it. */
  position: number | null;
  agentName: string | null;
  /** The agent's avatar in this showroom, once they are here. */
  agentSessionId: string | null;
  /** Resolved and not rated yet: show the satisfaction prompt. */
  csatPending: boolean;
}

/** A private line, delivered only to the customer and the agent of the ticket. */
export interface SupportLine {
  id: string;
  ticketId: string;
  from: SupportParty;
  name: string;
  text: string;
  sentAt: string;
}

/** A ticket id as the server writes it: a lower-case UUID. */
export const TICKET_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function optionalText(value: unknown, field: string, max: number): Validation<string | undefined> {
  if (value === undefined || value === null) return ok(undefined);
  if (typeof value !== "string") return fail(`${field} must be a string`);
  const trimmed = value.trim();
  if (trimmed.length > max) return fail(`${field} is longer than ${max} characters`);
  if (CONTROL_CHARACTERS.test(trimmed)) return fail(`${field} contains control characters`);
  if (LONE_SURROGATE.test(trimmed)) return fail(`${field} is not valid Unicode (a lone surrogate)`);
  return ok(trimmed.length > 0 ? trimmed : undefined);
}

export function validateSupportRequest(message: unknown): Validation<SupportRequestMessage> {
  if (message === undefined || message === null) return ok({});
  if (!isRecord(message)) return fail("support:request must be an object");
  const extra = onlyKeys(message, ["message", "productSku"]);
  if (extra) return fail(extra);
  const text = optionalText(message.message, "message", MAX_SUPPORT_MESSAGE_LENGTH);
  if (!text.ok) return fail(text.reason);
  const { productSku } = message;
  if (productSku !== undefined && (typeof productSku !== "string" || !SKU_PATTERN.test(productSku)))
    return fail("productSku must be a product sku");
  return ok({ ...(text.value ? { message: text.value } : {}), ...(productSku ? { productSku } : {}) });
}

export function validateSupportSay(message: unknown): Validation<SupportSayMessage> {
  if (!isRecord(message)) return fail("support:say must be an object");
  const extra = onlyKeys(message, ["text", "clientMessageId", "ticketId"]);
  if (extra) return fail(extra);
  const { ticketId } = message;
  if (ticketId !== undefined && (typeof ticketId !== "string" || !TICKET_ID.test(ticketId)))
    return fail("ticketId must be a ticket id");
  const line = validateChat({ text: message.text, clientMessageId: message.clientMessageId });
  if (!line.ok) return fail(line.reason.replace(/^chat/, "support:say"));
  return ok({ ...line.value, ...(ticketId ? { ticketId } : {}) });
}

export function validateSupportCsat(message: unknown): Validation<SupportCsatMessage> {
  if (!isRecord(message)) return fail("support:csat must be an object");
  const extra = onlyKeys(message, ["ticketId", "score", "comment"]);
  if (extra) return fail(extra);
  const { ticketId, score } = message;
  if (typeof ticketId !== "string" || !TICKET_ID.test(ticketId)) return fail("ticketId must be a ticket id");
  if (typeof score !== "number" || !Number.isInteger(score) || score < 1 || score > 5)
    return fail("score must be a whole number from 1 to 5");
  const comment = optionalText(message.comment, "comment", MAX_CSAT_COMMENT_LENGTH);
  if (!comment.ok) return fail(comment.reason);
  return ok({ ticketId, score, ...(comment.value ? { comment: comment.value } : {}) });
}
