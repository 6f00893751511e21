import { Client } from "@colyseus/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ShowroomView } from "../../schema/api";
import type { Bounds } from "../../schema/catalog";
import { encodePoseMessage, POSE_MESSAGE_BYTES, POSITION_STEP, unpackPose } from "../../schema/codec";
import { CLIENT_MESSAGE_TYPES, type ClientMessageType, validators } from "../../schema/messages";
import { ShowroomState } from "../../schema/state";
import { DEFAULT_SEAT_REQUEST_LIMITS } from "../../server/room/admission";
import { ClientGuard } from "../../server/room/client-guard";
import { startTestServer, type TestServer } from "../support/server";
import { waitFor } from "../support/wait";
import { guestToken, joinShowroom, standingPose, type Visitor } from "../support/visitor";

/**
 * Every kind of client message, valid, at its limits and malformed, from many short-lived clients
 * to the real server, while one well-behaved visitor walks and chats and an observer checks every
 * pose in every patch. ATRIUM_FUZZ_MESSAGES sets how many: 10,000 in `npm test` (about a minute on
 * two cores); the full run is `ATRIUM_FUZZ_MESSAGES=100000 npx vitest run tests/integration/fuzz.test.ts`
 * (about 11 minutes here: joining is the bottleneck). ATRIUM_FUZZ_SEED replays a run.
 */
const TOTAL = Number(process.env.ATRIUM_FUZZ_MESSAGES ?? 10_000);
const SEED = Number(process.env.ATRIUM_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 32));
const SLUG = "home-living";
/** Fuzz clients in the room at once, and the most one sends before it leaves (Colyseus drops a client past 150 frames a second). */
const CLIENTS_AT_ONCE = 10;
const BATCH = 120;
const SKUS = ["SOFA-OSLO-3", "CHAIR-LUNA", "SPK-ECHO-2", "VASE-KOI", "NOPE-404"];

/** mulberry32: small, fast and the same on every machine. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type FuzzMessage = { type: string | number; bytes: Uint8Array } | { type: string | number; payload: unknown };

/** The messages of one run, from its seed. */
function fuzzMessages(seed: number): () => FuzzMessage {
  const random = prng(seed);
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  const text = (length: number) => {
    const alphabet = [
      "a",
      "Z",
      " ",
      "\n",
      "\t",
      "\u0000",
      "\u001b",
      "\ud800",
      "😀",
      "中",
      "\u202e",
      "<script>",
      "'",
      '"',
    ];
    let out = "";
    while (out.length < length) out += pick(alphabet);
    return out.slice(0, length);
  };
  const nested = (depth: number): unknown => (depth === 0 ? pick([1, "x", null]) : { a: nested(depth - 1) });
  const strangeNumber = () =>
    pick([
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      -0,
      -1,
      0.5,
      1e308,
      -1e308,
      Number.MAX_SAFE_INTEGER,
      2 ** 32,
      5e-324,
      1e6,
    ]);
  const anything = (): unknown =>
    pick<() => unknown>([
      () => undefined,
      () => null,
      () => true,
      strangeNumber,
      () => "",
      () => text(int(40)),
      () => text(600),
      () => [],
      () => [1, "two", null, [3]],
      () => ({}),
      () => nested(1 + int(60)),
      () => Array.from({ length: int(40) }, () => int(256)),
    ])();
  const id = () => pick(["m1", "", "a".repeat(64), "a".repeat(65), "bad id!", `id-${int(1e9)}`]);
  const ticket = () =>
    pick(["01900000-0000-7000-8000-000000000000", "not-a-ticket", "", "01900000-0000-7000-8000-00000000000Z"]);

  /** A plausible payload for the type, with one field (or the whole) bent out of shape half the time. */
  const payloadFor = (type: Exclude<ClientMessageType, "pose">): unknown => {
    const valid: Record<string, unknown> = {
      teleport: { x: random() * 30 - 15, z: random() * 20 - 10 },
      grab: { sku: pick(SKUS), hand: int(2) },
      release: { hand: int(2) },
      chat: { text: text(1 + int(20)), clientMessageId: id() },
      ask: { text: "where is the sofa", clientMessageId: id(), locale: pick(["en", "zh", null, "fr"]) },
      "support:request": pick([{}, { message: text(int(30)) }, { productSku: pick(SKUS) }]),
      "support:say": { text: text(1 + int(20)), clientMessageId: id(), ticketId: ticket() },
      "support:csat": { ticketId: ticket(), score: 1 + int(5), comment: text(int(30)) },
    }[type];
    if (random() < 0.5) return valid;
    if (random() < 0.25) return anything();
    const bent = { ...(valid as Record<string, unknown>) };
    const keys = Object.keys(bent);
    const field = random() < 0.15 || keys.length === 0 ? pick(["extra", "__proto__", "constructor"]) : pick(keys);
    bent[field] = pick<() => unknown>([anything, strangeNumber, () => text(3000), () => -1, () => 1e300])();
    return bent;
  };

  const poseBytes = (): Uint8Array => {
    const choice = random();
    if (choice < 0.35) {
      const pose = standingPose(random() * 80 - 40, random() * 80 - 40, random() * 7);
      if (random() < 0.5) for (let i = 0; i < pose.length; i++) pose[i] = pose[i]! * (1 + random() * 1e3);
      return encodePoseMessage(pose);
    }
    const length = choice < 0.7 ? POSE_MESSAGE_BYTES : int(65);
    const bytes = new Uint8Array(length);
    for (let i = 0; i < length; i++) bytes[i] = random() < 0.2 ? pick([0, 0xff]) : int(256);
    return bytes;
  };

  return () => {
    const roll = random();
    if (roll < 0.04)
      return { type: pick(["", "unknown", "__proto__", "pose:x", "a".repeat(60), 7, -1]), payload: anything() };
    const type = pick(CLIENT_MESSAGE_TYPES);
    if (type === "pose") return random() < 0.9 ? { type, bytes: poseBytes() } : { type, payload: anything() };
    return random() < 0.05 ? { type, bytes: poseBytes() } : { type, payload: payloadFor(type) };
  };
}

/** Whether the server's door lets the message through, as far as this client can tell (its rates and validators). */
function passesDoor(guard: ClientGuard, message: FuzzMessage): boolean {
  const type = message.type;
  if (typeof type !== "string" || !(CLIENT_MESSAGE_TYPES as readonly string[]).includes(type)) return false;
  const known = type as ClientMessageType;
  if (!guard.allow(known, Date.now())) return false;
  // Bytes reach only the pose handler; anything else sent as bytes or a pose sent as a message is refused.
  if ("bytes" in message) return known === "pose" && validators.pose(message.bytes).ok;
  return known !== "pose" && validators[known](message.payload).ok;
}

/** What no pose in the state may ever be: not finite, outside the showroom, or not a unit rotation. */
function badPose(bounds: Bounds, what: string, xz: number, y: number, q: number): string | undefined {
  const pose = [0, 0, 0, 0, 0, 0, 1];
  unpackPose(xz, y, q, pose);
  const [x = Number.NaN, py = Number.NaN, z = Number.NaN, ...rotation] = pose;
  const slack = POSITION_STEP * 1.5;
  if (!pose.every(Number.isFinite)) return `${what}: not finite ${JSON.stringify(pose)}`;
  if (x < bounds.minX - slack || x > bounds.maxX + slack || z < bounds.minZ - slack || z > bounds.maxZ + slack)
    return `${what}: outside the showroom at x ${x}, z ${z}`;
  if (py < -slack || py > bounds.height + slack) return `${what}: at height ${py}`;
  if (Math.abs(Math.hypot(...rotation) - 1) > 0.01) return `${what}: rotation ${JSON.stringify(rotation)}`;
  return undefined;
}

describe(`the showroom under ${TOTAL.toLocaleString("en")} fuzzed messages`, () => {
  let server: TestServer;
  const open: Visitor[] = [];

  beforeAll(async () => {
    server = await startTestServer({ database: "embedded", env: { ATRIUM_GUEST_TOKENS_PER_ADDRESS: "100000" } });
  });
  afterAll(async () => {
    await Promise.all(open.map((visitor) => visitor.leave()));
    await server?.close();
  });

  it(
    "serves a well-behaved visitor throughout, keeps every pose finite and inside, and stays up",
    async () => {
      let failure: string | undefined;
      const fail = (why: string) => {
        failure ??= why;
      };
      try {
        const view = (await (await fetch(`${server.baseUrl}/api/showrooms/${SLUG}`)).json()) as ShowroomView;
        const bounds = view.bounds;

        const observer = await joinShowroom(server.baseUrl, { name: "Observer" });
        open.push(observer);
        const walker = await joinShowroom(server.baseUrl, { name: "Walker" });
        open.push(walker);
        let patches = 0;
        let walkerMovedAt = Date.now();
        let walkerLast = "";
        observer.room.onStateChange((state) => {
          patches++;
          state.avatars.forEach((avatar, sessionId) => {
            for (const [part, xz, y, q] of [
              ["head", avatar.hxz, avatar.hy, avatar.hq],
              ["left hand", avatar.lxz, avatar.ly, avatar.lq],
              ["right hand", avatar.rxz, avatar.ry, avatar.rq],
            ] as const) {
              const bad = badPose(bounds, `avatar ${sessionId} ${part}`, xz, y, q);
              if (bad) fail(bad);
            }
            if (sessionId === walker.sessionId && `${avatar.hxz}` !== walkerLast) {
              walkerLast = `${avatar.hxz}`;
              walkerMovedAt = Date.now();
            }
          });
          state.products.forEach((product, sku) => {
            const bad = badPose(bounds, `product ${sku}`, product.xz, product.y, product.q);
            if (bad) fail(bad);
          });
        });

        // The well-behaved visitor: legal poses at 20 Hz back and forth, a chat line every 2 s, each acknowledged within 5 s.
        let step = 0;
        const unacknowledged = new Map<string, number>();
        let acknowledged = 0;
        walker.room.onMessage("chat:ack", (ack: { clientMessageId: string }) => {
          if (unacknowledged.delete(ack.clientMessageId)) acknowledged++;
        });
        const walking = setInterval(() => {
          step++;
          const x = 3 * Math.sin(step / 40);
          walker.sendPose(standingPose(x, 5, 0));
          if (step % 40 === 0) {
            const clientMessageId = `walker-${step}`;
            unacknowledged.set(clientMessageId, Date.now());
            walker.room.send("chat", { text: `still here (${step})`, clientMessageId });
          }
          for (const [clientMessageId, sentAt] of unacknowledged)
            if (Date.now() - sentAt > 5000)
              fail(`the walker's chat line ${clientMessageId} was not acknowledged in 5 s`);
          if (Date.now() - walkerMovedAt > 5000)
            fail("the walker's avatar has not moved in the observer's state for 5 s");
        }, 50);

        const next = fuzzMessages(SEED);
        let sent = 0;
        let sessions = 0;
        let cut = 0;
        let joiningMs = 0;
        const started = Date.now();

        const fuzzClient = async () => {
          while (sent < TOTAL && failure === undefined) {
            // Each fuzz client is a visitor of its own: a shared token would take another client's seat.
            const token = (await guestToken(server.baseUrl)).token;
            const client = new Client(server.baseUrl);
            const joinAt = Date.now();
            // Over this address's seat requests per window, a request is refused (429) and takes
            // nothing: ask again until admitted, within one window.
            const room = await waitFor(
              () =>
                client
                  .joinOrCreate<ShowroomState>("showroom", { slug: SLUG, token, name: "Fuzz" }, ShowroomState)
                  .catch((error: unknown) => {
                    if ((error as { code?: number }).code === 429) return null;
                    throw error;
                  }),
              (joined) => joined !== null,
              DEFAULT_SEAT_REQUEST_LIMITS.windowMs + 5000,
              "a fuzz client's seat request to be admitted",
            );
            if (room === null) throw new Error("unreachable: waitFor returns an admitted room");
            sessions++;
            joiningMs += Date.now() - joinAt;
            room.reconnection.enabled = false;
            let closed = false;
            room.onLeave(() => {
              closed = true;
            });
            room.onDrop(() => {
              closed = true;
            });
            const guard = new ClientGuard();
            let earnedCut = false;
            for (let i = 0; i < BATCH && sent < TOTAL && !earnedCut; i++) {
              const message = next();
              if ("bytes" in message) room.sendBytes(message.type, message.bytes);
              else room.send(message.type, message.payload);
              sent++;
              if (!passesDoor(guard, message)) earnedCut = guard.strike(Date.now());
            }
            if (earnedCut) cut++;
            // Cut by the server or not, it leaves: what it sent before the leave is read first, on the same socket.
            void room.leave(true).catch(() => undefined);
            await waitFor(() => closed, Boolean, 10_000, "a fuzz client's connection to close after its leave");
          }
        };
        await Promise.all(Array.from({ length: CLIENTS_AT_ONCE }, fuzzClient));
        clearInterval(walking);
        const seconds = (Date.now() - started) / 1000;
        console.log(
          `[fuzz] seed ${SEED}: ${sent} messages from ${sessions} clients (${cut} cut for refusals, ${(joiningMs / Math.max(1, sessions)).toFixed(0)} ms to join) in ${seconds.toFixed(1)} s; ${patches} patches checked, ${acknowledged} walker chat lines acknowledged`,
        );

        expect(failure).toBeUndefined();
        expect(sent).toBe(TOTAL);
        expect(acknowledged).toBeGreaterThan(0);
        expect(patches).toBeGreaterThan(0);
        const health = await fetch(`${server.baseUrl}/healthz`);
        expect(health.status).toBe(200);
        expect(server.output()).not.toMatch(/uncaught|unhandled|TypeError|RangeError/i);
      } catch (error) {
        throw new Error(`fuzz run with ATRIUM_FUZZ_SEED=${SEED} failed: ${failure ?? (error as Error).message}`, {
          cause: error,
        });
      }
    },
    60_000 + TOTAL * 10,
  );
});
