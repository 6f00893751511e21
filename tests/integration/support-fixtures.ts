import { Client } from "@colyseus/sdk";
import type { ApiError } from "../../schema/api";
import type { ServerMessages } from "../../schema/messages";
import { ShowroomState } from "../../schema/state";
import type { StaffRole } from "../../schema/roles";
import type { QueueSnapshot, RoomTokenResponse, SignInResponse, TicketDetail } from "../../schema/support";
import { createStaffAccount, generatePassword } from "../../server/auth/staff";
import type { TestServer } from "../support/server";
import { joinShowroom, wrap, type Visitor } from "../support/visitor";

/** A signed-in console, as the agent or manager pages use the API (the session cookie). */
export interface StaffConsole {
  id: string;
  name: string;
  email: string;
  password: string;
  cookie: string;
  call<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
}

let staffCount = 0;

export async function createStaff(
  server: TestServer,
  role: StaffRole,
  name: string,
): Promise<{ id: string; email: string; password: string; name: string }> {
  const email = `${name.toLowerCase()}.${++staffCount}.${Date.now().toString(36)}@staff.test`;
  const password = generatePassword();
  const account = await createStaffAccount(server.database.db, { email, displayName: name, role, password });
  return { id: account.id, email, password, name };
}

export async function request<T>(
  baseUrl: string,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
) {
  const response = await fetch(`${baseUrl}/api/support${path}`, {
    method,
    headers: { ...(options.body !== undefined ? { "content-type": "application/json" } : {}), ...options.headers },
    body:
      options.body === undefined
        ? undefined
        : typeof options.body === "string"
          ? options.body
          : JSON.stringify(options.body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T, headers: response.headers };
}

export async function signIn(
  server: TestServer,
  staff: { id: string; email: string; password: string; name: string },
): Promise<StaffConsole> {
  const response = await request<SignInResponse | ApiError>(server.baseUrl, "POST", "/sign-in", {
    body: { email: staff.email, password: staff.password },
  });
  if (response.status !== 200) throw new Error(`sign-in failed: ${response.status} ${JSON.stringify(response.body)}`);
  const [cookie = ""] = (response.headers.get("set-cookie") ?? "").split(";");
  return {
    ...staff,
    cookie,
    async call<T>(method: string, path: string, body?: unknown) {
      const { status, body: payload } = await request<T>(server.baseUrl, method, path, { body, headers: { cookie } });
      return { status, body: payload };
    },
  };
}

export async function staffConsole(server: TestServer, role: StaffRole, name: string): Promise<StaffConsole> {
  return signIn(server, await createStaff(server, role, name));
}

export async function goOnline(agent: StaffConsole, capacity = 2): Promise<void> {
  const { status } = await agent.call("PUT", "/presence", { status: "online", capacity });
  if (status !== 200) throw new Error(`presence: ${status}`);
}

export async function queueOf(agent: StaffConsole): Promise<QueueSnapshot> {
  const { status, body } = await agent.call<QueueSnapshot>("GET", "/queue");
  if (status !== 200) throw new Error(`queue: ${status}`);
  return body;
}

export async function ticketOf(staff: StaffConsole, ticketId: string): Promise<TicketDetail> {
  const { status, body } = await staff.call<TicketDetail>("GET", `/tickets/${ticketId}`);
  if (status !== 200) throw new Error(`ticket: ${status} ${JSON.stringify(body)}`);
  return body;
}

/** A customer in the showroom who presses Help and waits for the request to be acknowledged. */
export async function customerAsksForHelp(
  visitor: Visitor,
  message?: string,
): Promise<ServerMessages["support:requested"]> {
  const before = visitor.received.length;
  visitor.room.send("support:request", message ? { message } : {});
  await visitor.until(
    () => visitor.received.slice(before).some((m) => m.type === "support:requested" || m.type === "support:refused"),
    10_000,
    "support:requested",
  );
  const reply = visitor.received
    .slice(before)
    .find((m) => m.type === "support:requested" || m.type === "support:refused")!;
  if (reply.type !== "support:requested") throw new Error(`help refused: ${JSON.stringify(reply.payload)}`);
  return reply.payload;
}

export async function joinAsCustomer(server: TestServer, name: string): Promise<Visitor> {
  const visitor = await joinShowroom(server.baseUrl, { name });
  await visitor.until(() => visitor.room.state?.avatars?.has(visitor.sessionId) === true, 10_000, "own avatar");
  return visitor;
}

/** The agent's console opening the showroom for a ticket: a room token, then a join as the agent. */
export async function joinAsAgent(server: TestServer, agent: StaffConsole, ticketId: string): Promise<Visitor> {
  const { status, body } = await agent.call<RoomTokenResponse>("POST", "/room-token", { ticketId });
  if (status !== 200) throw new Error(`room token: ${status} ${JSON.stringify(body)}`);
  const client = new Client(server.baseUrl);
  const room = await client.joinOrCreate<ShowroomState>(
    "showroom",
    { slug: body.slug, token: body.token, name: body.name, role: "agent", ticketId },
    ShowroomState,
  );
  const visitor = wrap(client, room, { token: body.token, visitorId: "", customerId: "", expiresAt: body.expiresAt });
  await visitor.until(() => visitor.room.state?.avatars?.has(visitor.sessionId) === true, 10_000, "the agent's avatar");
  return visitor;
}

export function lastStatus(visitor: Visitor): ServerMessages["support:status"]["ticket"] | undefined {
  for (let i = visitor.received.length - 1; i >= 0; i--) {
    const message = visitor.received[i];
    if (message?.type === "support:status") return message.payload.ticket;
  }
  return undefined;
}
