import type { ApiError } from "../../schema/api";
import type { RecordingSummary } from "../../schema/recording";
import { formatTime } from "./playback";

/** The managers' list of recordings: fetching it, and one row's text per recording. */

/** What the page shows instead of the list, when there is no list to show. */
export type ListProblem = { kind: "signed-out" | "forbidden" | "error"; message: string };

export type ListResult = { kind: "list"; recordings: RecordingSummary[] } | ListProblem;

export async function fetchRecordingList(fetcher: typeof fetch = fetch): Promise<ListResult> {
  let response: Response;
  try {
    response = await fetcher("/api/recordings?limit=200", { credentials: "same-origin" });
  } catch {
    return { kind: "error", message: "The server can't be reached. Check your connection and reload." };
  }
  if (response.status === 401)
    return { kind: "signed-out", message: "Recordings are for managers. Sign in with a manager account first." };
  if (response.status === 403)
    return { kind: "forbidden", message: "Your account may not list recordings: they are for managers." };
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as Partial<ApiError> | null;
    return { kind: "error", message: body?.message ?? `The server answered ${response.status}.` };
  }
  const recordings = (await response.json()) as RecordingSummary[];
  return { kind: "list", recordings: newestFirst(recordings) };
}

export function newestFirst(recordings: readonly RecordingSummary[]): RecordingSummary[] {
  return [...recordings].sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt));
}

export interface RecordingRow {
  id: string;
  href: string;
  showroom: string;
  started: string;
  duration: string;
  visitors: string;
  live: boolean;
}

export function rowOf(recording: RecordingSummary, locale?: string): RecordingRow {
  const names = recording.visitors.map((v) => v.name || "Visitor");
  return {
    id: recording.id,
    href: `/manager/recordings/${encodeURIComponent(recording.id)}`,
    showroom: recording.showroomSlug,
    started: new Date(recording.startedAt).toLocaleString(locale, { dateStyle: "medium", timeStyle: "short" }),
    duration: formatTime(recording.durationMs),
    visitors: names.length === 0 ? "nobody" : `${names.length}: ${names.join(", ")}`,
    live: recording.endedAt === null,
  };
}
