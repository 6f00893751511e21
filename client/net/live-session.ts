import { Client, type Room, ServerError } from "@colyseus/sdk";
import { ShowroomCloseCode } from "../../schema/close-codes";
import { JoinErrorCode } from "../../schema/errors";
import type { ChatLine, ClientMessages, HandIndex, ServerMessages } from "../../schema/messages";
import { ShowroomState } from "../../schema/state";
import type { ShowroomStateSource } from "../world/state-source";
import { ServerUnreachableError } from "./api";
import { dropGuestToken, guestToken } from "./guest-identity";
import { PoseSender } from "./pose-sender";

/**
 * The live connection to one showroom: joins with the guest token, hands every decoded state to
 * a sink (the WorldView), sends the visitor's inputs, and keeps the seat through network drops.
 * The SDK retries the same seat first (the server holds it 20 s); if the room itself is gone (a
 * server restart) the session joins afresh with the same token, so the visitor stays the same customer.
 */

export type ConnectionStatus =
  | { kind: "connecting" }
  | { kind: "connected"; sessionId: string }
  | { kind: "reconnecting"; attempt: number; since: number }
  | { kind: "full"; message: string }
  | { kind: "unreachable"; message: string }
  | { kind: "failed"; message: string }
  | { kind: "left" };

export interface SessionEvents {
  status(status: ConnectionStatus): void;
  state(state: ShowroomStateSource, atMs: number): void;
  welcome(welcome: ServerMessages["welcome"]): void;
  chat(line: ChatLine): void;
  chatAcknowledged(ack: ServerMessages["chat:ack"]): void;
  chatRefused(refusal: ServerMessages["chat:refused"]): void;
  /** The in-room assistant answered a line of ours that began with @assistant. */
  assistantReply(reply: ServerMessages["assistant:reply"]): void;
  grabRefused(refusal: ServerMessages["grab:refused"]): void;
  teleportRefused(refusal: ServerMessages["teleport:refused"]): void;
  refused(refusal: ServerMessages["refused"]): void;
  /** Each room joined, the first and any after a rejoin: the support panel talks through it. */
  room?(room: ShowroomRoom): void;
}

export interface SessionOptions {
  baseUrl: string;
  slug: string;
  name: string;
  storage: Storage;
  /** The privacy notice version the visitor accepted on the landing page, if they were asked. */
  consent?: string;
  events: SessionEvents;
}

const SEAT_RETRIES = 6;
const REJOIN_INTERVAL_MS = 1500;
const REJOIN_GIVE_UP_MS = 90_000;
/** Close codes of a leave the visitor asked for: nothing to recover. */
const CONSENTED_CLOSE_CODES = new Set([1000, 4000]);

type ShowroomRoom = Room<unknown, ShowroomState>;

export class LiveSession {
  private room: ShowroomRoom | null = null;
  private readonly client: Client;
  private closed = false;
  private current: ConnectionStatus = { kind: "connecting" };
  private nextMessageId = 0;
  private lastSessionId: string | null = null;
  readonly poses = new PoseSender((bytes) => this.sendPose(bytes));

  constructor(private readonly options: SessionOptions) {
    this.client = new Client(options.baseUrl);
  }

  get status(): ConnectionStatus {
    return this.current;
  }

  /** The seat's session id; kept while the seat is being recovered, so the view still knows which avatar is ours. */
  get sessionId(): string | null {
    return this.lastSessionId;
  }

  /** Joins the showroom; rejects with a readable message when the server says no. */
  async join(): Promise<void> {
    this.setStatus({ kind: "connecting" });
    try {
      this.attach(await this.joinRoom());
    } catch (error) {
      const status = describeJoinError(error);
      this.setStatus(status);
      throw new Error(status.kind === "left" ? "left" : status.message);
    }
  }

  grab(sku: string, hand: HandIndex): void {
    this.send("grab", { sku, hand });
  }

  release(hand: HandIndex): void {
    this.send("release", { hand });
  }

  teleport(x: number, z: number): void {
    this.send("teleport", { x, z });
  }

  /** Sends a chat line; the returned id comes back in chat:ack or chat:refused (assistant:reply for @assistant lines). */
  chat(text: string): string {
    const clientMessageId = `m${Date.now().toString(36)}${(this.nextMessageId++).toString(36)}`;
    this.send("chat", { text, clientMessageId });
    return clientMessageId;
  }

  async leave(): Promise<void> {
    this.closed = true;
    this.setStatus({ kind: "left" });
    await this.room?.leave(true).catch(() => undefined);
  }

  /** The room to send inputs to: none while the seat is being recovered, as inputs would queue up stale (the next pose is fresher). */
  private get inputRoom(): ShowroomRoom | null {
    return this.current.kind === "connected" ? this.room : null;
  }

  private sendPose(bytes: Uint8Array): void {
    this.inputRoom?.sendBytes("pose", bytes);
  }

  private send<K extends Exclude<keyof ClientMessages, "pose">>(type: K, payload: ClientMessages[K]): void {
    this.inputRoom?.send(type, payload);
  }

  private async joinRoom(): Promise<ShowroomRoom> {
    const { baseUrl, slug, name, storage, consent } = this.options;
    const guest = await guestToken(
      baseUrl,
      storage,
      Date.now(),
      consent ? { showroom: slug, version: consent } : undefined,
    );
    try {
      return await this.client.joinOrCreate("showroom", { slug, token: guest.token, name }, ShowroomState);
    } catch (error) {
      if (refusesToken(error)) dropGuestToken(storage);
      throw error;
    }
  }

  private attach(room: ShowroomRoom): void {
    this.room = room;
    this.lastSessionId = room.sessionId;
    this.options.events.room?.(room);
    const { events } = this.options;
    room.reconnection.maxRetries = SEAT_RETRIES;
    room.reconnection.maxDelay = 2000;
    // The server holds a dropped seat for 20 s: worth recovering even right after joining.
    room.reconnection.minUptime = 0;
    room.onStateChange((state) => {
      this.poses.patchArrived();
      events.state(state, performance.now());
    });
    room.onMessage("welcome", (message: ServerMessages["welcome"]) => events.welcome(message));
    room.onMessage("chat", (line: ChatLine) => events.chat(line));
    room.onMessage("chat:ack", (ack: ServerMessages["chat:ack"]) => events.chatAcknowledged(ack));
    room.onMessage("chat:refused", (refusal: ServerMessages["chat:refused"]) => events.chatRefused(refusal));
    room.onMessage("assistant:reply", (reply: ServerMessages["assistant:reply"]) => events.assistantReply(reply));
    room.onMessage("grab:refused", (refusal: ServerMessages["grab:refused"]) => events.grabRefused(refusal));
    room.onMessage("teleport:refused", (refusal: ServerMessages["teleport:refused"]) =>
      events.teleportRefused(refusal),
    );
    room.onMessage("refused", (refusal: ServerMessages["refused"]) => events.refused(refusal));
    room.onDrop(() => this.setStatus({ kind: "reconnecting", attempt: 1, since: Date.now() }));
    room.onReconnect(() => {
      this.poses.reset();
      this.setStatus({ kind: "connected", sessionId: room.sessionId });
    });
    room.onLeave((code) => {
      if (this.room !== room) return;
      this.room = null;
      if (this.closed || CONSENTED_CLOSE_CODES.has(code)) {
        this.setStatus({ kind: "left" });
        return;
      }
      if (code === ShowroomCloseCode.SeatTakenOver) {
        this.setStatus({ kind: "failed", message: "This showroom is now open in another tab or window." });
        return;
      }
      if (code === ShowroomCloseCode.Erased) {
        this.setStatus({ kind: "failed", message: "Your data here was erased. Reload the page to start afresh." });
        return;
      }
      if (code === ShowroomCloseCode.TooManyInvalidMessages) {
        this.setStatus({
          kind: "failed",
          message: "The showroom closed this connection. Reload the page to enter again.",
        });
        return;
      }
      void this.rejoin();
    });
    this.poses.reset();
    this.setStatus({ kind: "connected", sessionId: room.sessionId });
  }

  /** The seat could not be recovered (the room is gone): join again as the same visitor. */
  private async rejoin(): Promise<void> {
    const since = this.current.kind === "reconnecting" ? this.current.since : Date.now();
    for (let attempt = 1; !this.closed; attempt++) {
      this.setStatus({ kind: "reconnecting", attempt, since });
      try {
        this.attach(await this.joinRoom());
        return;
      } catch (error) {
        const status = describeJoinError(error);
        if (status.kind === "full" || Date.now() - since > REJOIN_GIVE_UP_MS) {
          this.setStatus(
            status.kind === "full"
              ? status
              : { kind: "failed", message: "The connection to the showroom was lost. Reload the page to try again." },
          );
          return;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, REJOIN_INTERVAL_MS));
    }
  }

  private setStatus(status: ConnectionStatus): void {
    this.current = status;
    this.options.events.status(status);
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The code of the server's refusal (schema/errors.ts), or undefined when no answer came. */
function refusalCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "number" ? code : undefined;
}

/** The server refused the token itself: it is dropped, so the next join asks for a new one. */
export function refusesToken(error: unknown): boolean {
  return refusalCode(error) === JoinErrorCode.TokenRefused;
}

/**
 * What a failed join means to the visitor, decided on the refusal's code; the server's message is
 * shown as it is. No answer at all (a failed fetch, or the SDK's error with a system error code
 * such as ECONNREFUSED instead of a status) means the server cannot be reached.
 */
export function describeJoinError(
  error: unknown,
): Exclude<ConnectionStatus, { kind: "connecting" | "connected" | "reconnecting" }> {
  const message = errorMessage(error);
  const code = refusalCode(error);
  if (code === JoinErrorCode.ShowroomFull)
    return { kind: "full", message: message || "This showroom is full right now. Please try again in a few minutes." };
  if (
    error instanceof ServerUnreachableError ||
    error instanceof TypeError ||
    (error instanceof ServerError && code === undefined)
  ) {
    return {
      kind: "unreachable",
      message: "The showroom server can't be reached. Check your connection and try again.",
    };
  }
  return { kind: "failed", message: message || "The showroom server refused to let you in." };
}
