import { readFileSync } from "node:fs";

/** A recording as an earlier build stored it: its format version, state reflection and chunks (base64). */
export interface RecordingFixture {
  formatVersion: number;
  reflection: string;
  durationMs: number;
  chunks: Array<{ seq: number; startMs: number; endMs: number; data: string }>;
}

/** tests/fixtures/recording-v1.json: a format-1 recording that every later build must keep playing. */
export const recordingV1 = JSON.parse(
  readFileSync(new URL("../fixtures/recording-v1.json", import.meta.url), "utf8"),
) as RecordingFixture;
