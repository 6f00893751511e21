import { describe, expect, it } from "vitest";
import { recordingV1 } from "../../support/recording-fixture";
import { READABLE_FORMAT_VERSIONS, unreadableFormat } from "../../../client/replay/api";
import { decodeBase64, ReplayPlayback } from "../../../client/replay/playback";
import type { AvatarFields, ProductFields, ShowroomStateSource } from "../../../client/world/state-source";
import { RECORDING_FORMAT_VERSION } from "../../../schema/recording";
import { servedChunk } from "../../../server/recording/format";

/** A recording stored by an earlier build (tests/fixtures/recording-v1.json), played by today's player. */

const fixture = recordingV1;

function playback(): ReplayPlayback {
  const chunks = fixture.chunks.map(({ seq, startMs, endMs, data }) => ({ seq, startMs, endMs, bytes: data.length }));
  return new ReplayPlayback(decodeBase64(fixture.reflection), chunks, async (seq) => {
    const chunk = fixture.chunks.find((c) => c.seq === seq);
    if (!chunk) throw new Error(`no chunk ${seq}`);
    // What GET /api/recordings/:id/chunks/:seq sends for the stored bytes.
    return servedChunk(Buffer.from(chunk.data, "base64"));
  });
}

interface Seen {
  avatars: Map<string, AvatarFields>;
  products: Map<string, ProductFields>;
}

async function stateAt(player: ReplayPlayback, ms: number): Promise<Seen> {
  let last: ShowroomStateSource | null = null;
  await player.goTo(ms, (state) => {
    last = state;
  });
  const seen: Seen = { avatars: new Map(), products: new Map() };
  const state = last as ShowroomStateSource | null;
  if (!state) throw new Error(`nothing decoded at ${ms} ms`);
  state.avatars.forEach((avatar, id) => seen.avatars.set(id, { ...avatar }));
  state.products.forEach((product, sku) => seen.products.set(sku, { ...product }));
  return seen;
}

describe("the player on a recording stored in format 1", () => {
  it("reads format 1, the format this build writes", () => {
    expect(fixture.formatVersion).toBe(1);
    expect(READABLE_FORMAT_VERSIONS).toContain(fixture.formatVersion);
    expect(READABLE_FORMAT_VERSIONS).toContain(RECORDING_FORMAT_VERSION);
    expect(unreadableFormat(1)).toBeNull();
  });

  it("shows Ann walking, Bob coming and going and the chair held then put down, at the moments they happened", async () => {
    const player = playback();
    const early = await stateAt(player, 1000);
    expect(early.avatars.get("ann")?.hxz).toBe(1020);
    expect(early.avatars.has("bob")).toBe(false);

    const middle = await stateAt(player, 6000);
    expect(middle.avatars.get("ann")?.hxz).toBe(1120);
    expect(middle.avatars.get("bob")).toMatchObject({ name: "Bob", hy: 1600 });
    expect(middle.products.get("CHAIR-1")?.heldBy).toBe("ann");

    const late = await stateAt(player, 11_000);
    expect(late.avatars.get("ann")?.hxz).toBe(1220);
    expect(late.avatars.has("bob")).toBe(false);
    expect(late.products.get("CHAIR-1")?.heldBy).toBe("");

    // Back again: a seek back starts over from the keyframe and finds the same state.
    const again = await stateAt(player, 6000);
    expect(again.products.get("CHAIR-1")?.heldBy).toBe("ann");
    expect(again.avatars.get("ann")?.hxz).toBe(1120);
    expect(player.damaged.size).toBe(0);
  });

  it("refuses a newer format with a message that says to reload, and an unknown one plainly", () => {
    expect(unreadableFormat(2)).toBe(
      "This recording is stored in format 2, newer than this player reads (format 1). Reload the page to get the current player.",
    );
    expect(unreadableFormat(0)).toBe(
      "This recording is stored in format 0, which this player does not read (it reads format 1).",
    );
    expect(unreadableFormat(undefined)).toBe(
      "This recording is stored in format undefined, which this player does not read (it reads format 1).",
    );
  });
});
