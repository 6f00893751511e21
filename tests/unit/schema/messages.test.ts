import { describe, expect, it } from "vitest";
import { POSE_STRIDE } from "../../../ecs/components";
import {
  CLIENT_MESSAGE_TYPES,
  MAX_CHAT_LENGTH,
  MAX_DISPLAY_NAME,
  type Validation,
  validateAsk,
  validateChat,
  validateDisplayName,
  validateGrab,
  validatePose,
  validateRelease,
  validateSupportCsat,
  validateSupportRequest,
  validateSupportSay,
  validateTeleport,
  validators,
} from "../../../schema/messages";
import { encodePoseMessage } from "../../../schema/codec";

/** The reason a message was refused; fails the test if it was accepted. */
function refusal(result: Validation<unknown>): string {
  expect(result.ok, `expected a refusal, got ${JSON.stringify(result)}`).toBe(false);
  return result.ok ? "" : result.reason;
}

function accepted<T>(result: Validation<T>): T {
  expect(result.ok, `expected acceptance, got ${JSON.stringify(result)}`).toBe(true);
  if (!result.ok) throw new Error(result.reason);
  return result.value;
}

/** Standing at the origin, head 1.6 m up, hands at the sides, all facing forward. */
function standingPose(): number[] {
  return [0, 1.6, 0, 0, 0, 0, 1, -0.3, 1, 0.1, 0, 0, 0, 1, 0.3, 1, 0.1, 0, 0, 0, 1];
}

describe("a pose message", () => {
  it("is accepted as 30 bytes and handed on as 21 numbers", () => {
    const pose = accepted(validatePose(encodePoseMessage(standingPose())));
    expect(pose).toHaveLength(POSE_STRIDE);
    standingPose().forEach((value, i) => expect(pose[i]).toBeCloseTo(value, 2));
  });

  it("is refused when it comes as anything but bytes, the old array of numbers included", () => {
    for (const wrong of [standingPose(), [NaN], null, "pose", { length: 30 }]) {
      expect(refusal(validatePose(wrong))).toBe("pose must be sent as 30 bytes (encodePoseMessage with sendBytes)");
    }
  });

  it("is refused at the wrong length or with an impossible rotation", () => {
    expect(refusal(validatePose(new Uint8Array(29)))).toBe("pose must be 30 bytes, got 29");
    const bytes = encodePoseMessage(standingPose());
    bytes.set([0xff, 0xff, 0xff, 0xff], 16);
    expect(refusal(validatePose(bytes))).toBe("pose rotation 1 is not a unit quaternion");
  });
});

describe("a teleport message", () => {
  it("is accepted with finite x and z", () => {
    expect(accepted(validateTeleport({ x: 2.5, z: -1 }))).toEqual({ x: 2.5, z: -1 });
  });

  it("is refused with missing, non-numeric or non-finite coordinates", () => {
    for (const wrong of [{ x: 1 }, { x: "1", z: 0 }, { x: NaN, z: 0 }, { x: 0, z: Infinity }, { x: -Infinity, z: 0 }]) {
      expect(refusal(validateTeleport(wrong))).toBe("teleport needs finite x and z");
    }
    expect(refusal(validateTeleport([1, 2]))).toBe("teleport must be an object");
    expect(refusal(validateTeleport(null))).toBe("teleport must be an object");
  });

  it("is refused with a field it does not know", () => {
    expect(refusal(validateTeleport({ x: 1, z: 2, y: 10 }))).toBe('unexpected field "y"');
  });
});

describe("a grab message", () => {
  it("is accepted for a product sku and a hand", () => {
    expect(accepted(validateGrab({ sku: "VASE-KOI", hand: 1 }))).toEqual({ sku: "VASE-KOI", hand: 1 });
    accepted(validateGrab({ sku: "A".repeat(64), hand: 0 }));
  });

  it("is refused for anything that is not a catalog sku", () => {
    for (const sku of ["vase-koi", "-VASE", "", "VASE KOI", "VASE_KOI", "VASE-KOI\n", "A".repeat(65), 42, null]) {
      expect(refusal(validateGrab({ sku, hand: 0 })), JSON.stringify(sku)).toBe("grab needs a product sku");
    }
  });

  it("is refused for a hand other than 0 or 1", () => {
    for (const hand of [2, -1, "0", true, 0.5, undefined]) {
      expect(refusal(validateGrab({ sku: "VASE-KOI", hand }))).toBe("hand must be 0 (left) or 1 (right)");
    }
  });

  it("is refused with a field it does not know", () => {
    expect(refusal(validateGrab({ sku: "VASE-KOI", hand: 0, force: true }))).toBe('unexpected field "force"');
  });
});

describe("a release message", () => {
  it("is accepted for a hand and refused for anything else", () => {
    expect(accepted(validateRelease({ hand: 0 }))).toEqual({ hand: 0 });
    expect(refusal(validateRelease({ hand: 3 }))).toBe("hand must be 0 (left) or 1 (right)");
    expect(refusal(validateRelease({ hand: 1, sku: "VASE-KOI" }))).toBe('unexpected field "sku"');
    expect(refusal(validateRelease(1))).toBe("release must be an object");
  });
});

describe("a chat message", () => {
  it("is accepted and trimmed", () => {
    expect(accepted(validateChat({ text: "  Is the sofa in stock?\n", clientMessageId: "m-1_a" }))).toEqual({
      text: "Is the sofa in stock?",
      clientMessageId: "m-1_a",
    });
  });

  it("keeps tabs and newlines inside the text", () => {
    expect(accepted(validateChat({ text: "two\nlines\tand a tab", clientMessageId: "m" })).text).toBe(
      "two\nlines\tand a tab",
    );
  });

  it("is refused when there is nothing to say", () => {
    for (const text of ["", "   ", "\n\t \r\n"]) {
      expect(refusal(validateChat({ text, clientMessageId: "m" }))).toBe("chat text is empty");
    }
    expect(refusal(validateChat({ text: 12, clientMessageId: "m" }))).toBe("chat text must be a string");
  });

  it("is refused beyond 500 characters, counted after trimming", () => {
    accepted(validateChat({ text: "a".repeat(MAX_CHAT_LENGTH), clientMessageId: "m" }));
    accepted(validateChat({ text: `   ${"a".repeat(MAX_CHAT_LENGTH)}   `, clientMessageId: "m" }));
    expect(refusal(validateChat({ text: "a".repeat(MAX_CHAT_LENGTH + 1), clientMessageId: "m" }))).toBe(
      "chat text is longer than 500 characters",
    );
  });

  it("is refused with control characters", () => {
    for (const control of ["\u0000", "\u0007", "\u001B", "\u007F", "\r", "\u000B"]) {
      expect(
        refusal(validateChat({ text: `hello${control}world`, clientMessageId: "m" })),
        JSON.stringify(control),
      ).toBe("chat text contains control characters");
    }
  });

  it("is refused with half a surrogate pair (no character; the database refuses it), and keeps whole ones", () => {
    for (const lone of ["\ud800", "\udfff", "a\ud83dz", "\ude00b"]) {
      expect(refusal(validateChat({ text: `hi ${lone}`, clientMessageId: "m" })), JSON.stringify(lone)).toBe(
        "chat text is not valid Unicode (a lone surrogate)",
      );
      expect(refusal(validateDisplayName(`Eve${lone}`)), JSON.stringify(lone)).toBe(
        "name is not valid Unicode (a lone surrogate)",
      );
      expect(refusal(validateSupportSay({ text: lone, clientMessageId: "m" }))).toBe(
        "support:say text is not valid Unicode (a lone surrogate)",
      );
      expect(refusal(validateSupportRequest({ message: lone }))).toBe(
        "message is not valid Unicode (a lone surrogate)",
      );
    }
    expect(accepted(validateChat({ text: "nice 😀 vase 花瓶", clientMessageId: "m" })).text).toBe("nice 😀 vase 花瓶");
    expect(accepted(validateDisplayName("Eve 😀"))).toBe("Eve 😀");
  });

  it("is refused without a usable clientMessageId", () => {
    accepted(validateChat({ text: "hi", clientMessageId: "x".repeat(64) }));
    for (const clientMessageId of [undefined, "", "x".repeat(65), "has space", "ünïcode", "a/b", 7]) {
      expect(refusal(validateChat({ text: "hi", clientMessageId })), JSON.stringify(clientMessageId)).toBe(
        "chat needs a clientMessageId (1-64 letters, digits, _ or -)",
      );
    }
  });

  it("is refused with a field it does not know", () => {
    expect(refusal(validateChat({ text: "hi", clientMessageId: "m", name: "admin" }))).toBe('unexpected field "name"');
    expect(refusal(validateChat("hi"))).toBe("chat must be an object");
  });
});

describe("a question for the assistant", () => {
  it("is accepted and trimmed like a chat line, with an optional locale", () => {
    expect(accepted(validateAsk({ text: " Where is the sofa? ", clientMessageId: "q1", locale: "en" }))).toEqual({
      text: "Where is the sofa?",
      clientMessageId: "q1",
      locale: "en",
    });
    expect(accepted(validateAsk({ text: "沙发在哪里", clientMessageId: "q2" })).locale).toBeNull();
  });

  it("is refused with the chat rules, naming ask, and for a locale the assistant does not speak", () => {
    expect(refusal(validateAsk({ text: "  ", clientMessageId: "q1" }))).toBe("ask text is empty");
    expect(refusal(validateAsk({ text: "hi", clientMessageId: "q 1" }))).toBe(
      "ask needs a clientMessageId (1-64 letters, digits, _ or -)",
    );
    expect(refusal(validateAsk({ text: "bonjour", clientMessageId: "q1", locale: "fr" }))).toBe(
      'locale must be "en", "zh" or null',
    );
    expect(refusal(validateAsk({ text: "hi", clientMessageId: "q1", intent: "buy" }))).toBe(
      'unexpected field "intent"',
    );
  });
});

describe("a display name", () => {
  it("is optional", () => {
    for (const none of [undefined, null, ""]) expect(accepted(validateDisplayName(none))).toBe("");
  });

  it("is trimmed and kept up to 40 characters", () => {
    expect(accepted(validateDisplayName("  Mei Ling "))).toBe("Mei Ling");
    expect(accepted(validateDisplayName(`${"n".repeat(MAX_DISPLAY_NAME)}  `))).toBe("n".repeat(MAX_DISPLAY_NAME));
    expect(refusal(validateDisplayName("n".repeat(MAX_DISPLAY_NAME + 1)))).toBe("name is longer than 40 characters");
  });

  it("is refused when it is not text or holds control characters", () => {
    expect(refusal(validateDisplayName(42))).toBe("name must be a string");
    expect(refusal(validateDisplayName({ first: "Mei" }))).toBe("name must be a string");
    expect(refusal(validateDisplayName("Mei\u0000Ling"))).toBe("name contains control characters or line breaks");
    expect(refusal(validateDisplayName("Ann\nBob"))).toBe("name contains control characters or line breaks");
  });
});

describe("live support messages", () => {
  const ticketId = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";

  it("accept a request with or without words and a product, dropping what is blank", () => {
    expect(accepted(validateSupportRequest(undefined))).toEqual({});
    expect(accepted(validateSupportRequest({ message: "  ", productSku: "VASE-KOI" }))).toEqual({
      productSku: "VASE-KOI",
    });
    expect(accepted(validateSupportRequest({ message: " Which colours? " }))).toEqual({ message: "Which colours?" });
    expect(refusal(validateSupportRequest({ productSku: "vase" }))).toBe("productSku must be a product sku");
    expect(refusal(validateSupportRequest({ message: "x".repeat(501) }))).toBe("message is longer than 500 characters");
    expect(refusal(validateSupportRequest({ urgent: true }))).toBe('unexpected field "urgent"');
  });

  it("accept a private line and refuse it with the chat rules, naming support:say", () => {
    expect(accepted(validateSupportSay({ text: " hello ", clientMessageId: "s1", ticketId }))).toEqual({
      text: "hello",
      clientMessageId: "s1",
      ticketId,
    });
    expect(refusal(validateSupportSay({ text: " ", clientMessageId: "s1" }))).toBe("support:say text is empty");
    expect(refusal(validateSupportSay({ text: "hi", clientMessageId: "s1", ticketId: "42" }))).toBe(
      "ticketId must be a ticket id",
    );
  });

  it("accept a rating of 1 to 5 and refuse any other", () => {
    expect(accepted(validateSupportCsat({ ticketId, score: 5, comment: " great " }))).toEqual({
      ticketId,
      score: 5,
      comment: "great",
    });
    for (const score of [0, 6, 4.5, "5", NaN]) {
      expect(refusal(validateSupportCsat({ ticketId, score }))).toBe("score must be a whole number from 1 to 5");
    }
    expect(refusal(validateSupportCsat({ ticketId: ticketId.toUpperCase(), score: 3 }))).toBe(
      "ticketId must be a ticket id",
    );
  });
});

it("every message type a client may send has a validator", () => {
  expect(Object.keys(validators).sort()).toEqual([...CLIENT_MESSAGE_TYPES].sort());
});
