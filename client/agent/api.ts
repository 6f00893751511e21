import type { ApiError } from "../../schema/api";
import type {
  CannedResponse,
  NoteView,
  PresenceRequest,
  PresenceView,
  QueueSnapshot,
  RoomTokenResponse,
  SignInResponse,
  StaffView,
  TicketDetail,
} from "../../schema/support";

/** The session ended (or never began): the page shows the sign-in form. */
export class SignedOutError extends Error {}

/** The support API as the console uses it; the session rides in an HttpOnly cookie. */
export class ConsoleApi {
  constructor(private readonly base = "/api/support") {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, {
        method,
        credentials: "same-origin",
        headers: body === undefined ? {} : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new Error("The server can't be reached. Check your connection.");
    }
    const payload = (await response.json().catch(() => null)) as (T & Partial<ApiError>) | null;
    if (response.status === 401 && path !== "/sign-in") throw new SignedOutError(payload?.message ?? "Sign in again.");
    if (!response.ok) throw new Error(payload?.message ?? `The server answered ${response.status}.`);
    return payload as T;
  }

  signIn(email: string, password: string): Promise<SignInResponse> {
    return this.call("POST", "/sign-in", { email, password });
  }
  signOut(): Promise<unknown> {
    return this.call("POST", "/sign-out");
  }
  me(): Promise<{ staff: StaffView; presence: PresenceView | null }> {
    return this.call("GET", "/me");
  }
  setPresence(request: PresenceRequest): Promise<PresenceView> {
    return this.call("PUT", "/presence", request);
  }
  accept(ticketId: string): Promise<TicketDetail> {
    return this.call("POST", `/tickets/${ticketId}/accept`);
  }
  release(ticketId: string): Promise<unknown> {
    return this.call("POST", `/tickets/${ticketId}/release`);
  }
  resolve(ticketId: string): Promise<unknown> {
    return this.call("POST", `/tickets/${ticketId}/resolve`);
  }
  ticket(ticketId: string): Promise<TicketDetail> {
    return this.call("GET", `/tickets/${ticketId}`);
  }
  addNote(ticketId: string, text: string): Promise<NoteView> {
    return this.call("POST", `/tickets/${ticketId}/notes`, { text });
  }
  roomToken(ticketId: string): Promise<RoomTokenResponse> {
    return this.call("POST", "/room-token", { ticketId });
  }
  canned(): Promise<CannedResponse[]> {
    return this.call("GET", "/canned-responses");
  }

  /** The live queue: the server pushes a snapshot whenever it changes (it polls the database). */
  streamQueue(
    onSnapshot: (snapshot: QueueSnapshot) => void,
    onSignedOut: () => void,
    onTrouble: (message: string | null) => void,
  ): () => void {
    const source = new EventSource(`${this.base}/queue/stream`, { withCredentials: true });
    source.addEventListener("queue", (event) => {
      onTrouble(null);
      onSnapshot(JSON.parse((event as MessageEvent<string>).data) as QueueSnapshot);
    });
    source.addEventListener("signed-out", () => {
      source.close();
      onSignedOut();
    });
    source.addEventListener("trouble", (event) =>
      onTrouble((JSON.parse((event as MessageEvent<string>).data) as { message: string }).message),
    );
    // EventSource reconnects by itself; a 401 on reconnect ends it for good.
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) onSignedOut();
      else onTrouble("Reconnecting to the queue…");
    };
    return () => source.close();
  }
}
