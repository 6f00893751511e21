// schema/recording.ts
/** Bumped whenever the stored frame layout changes; a player refuses a version it does not know. */
export const RECORDING_FORMAT_VERSION = 1;

export interface RecordingSummary {
  id: string; // uuid
  showroomSlug: string;
  roomId: string;
  startedAt: string; // ISO
  endedAt: string | null; // null while the room is open (live)
  durationMs: number; // so far, for a live one
  visitors: { customerId: string; name: string }[];
  agents: { staffId: string; name: string }[];
  ticketIds: string[];
  bytes: number; // stored, compressed
}

export interface RecordingMarker {
  atMs: number; // from the recording's start
  type: string; // interaction type: session_joined, session_left, product_grabbed, product_released,
  // product_dwell, chat, assistant_exchange, support_requested, support_*, demo_requested, quote_requested
  sessionId: string | null;
  customerId: string | null;
  productSku: string | null;
  label: string; // short text for the timeline tooltip
}

export interface TranscriptLine {
  atMs: number;
  kind: "chat" | "assistant" | "support";
  from: string; // display name
  text: string;
}

export interface RecordingDetail {
  recording: RecordingSummary;
  format: { version: number; reflection: string }; // base64 of @colyseus/schema Reflection.encode of the state
  chunks: { seq: number; startMs: number; endMs: number; bytes: number; damaged?: boolean }[];
  markers: RecordingMarker[];
  transcript: TranscriptLine[];
}
