import type { ApiError } from "../../schema/api";
import type { RecordingDetail } from "../../schema/recording";

/** The recordings API as the player uses it; the staff session rides in its HttpOnly cookie. */

/** Why a recording cannot be shown, in words for the person watching. */
export class RecordingUnavailableError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const SIGN_IN =
  "Recordings are for managers. Sign in with a manager account in the console at /agent, then open this page again.";

function explain(status: number, id: string, serverSays: string | undefined): string {
  if (status === 401) return SIGN_IN;
  if (status === 403)
    return `Your account may not watch this recording${serverSays ? ` (${serverSays})` : ""}. Recordings are for managers, and for the agent who handled a ticket during it.`;
  if (status === 404) return `There is no recording ${id}: it may have been deleted, or the link is wrong.`;
  return serverSays ?? `The server answered ${status} for recording ${id}.`;
}

async function get(url: string, id: string): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, { credentials: "same-origin" });
  } catch {
    throw new RecordingUnavailableError(0, "The server can't be reached. Check your connection and reload.");
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as Partial<ApiError> | null;
    throw new RecordingUnavailableError(response.status, explain(response.status, id, body?.message));
  }
  return response;
}

/** Every stored format this player decodes: the one the server writes now, and the older ones it still reads. */
export const READABLE_FORMAT_VERSIONS: readonly number[] = [1];

/** Why a recording in this format cannot be played, or null when the player reads it. */
export function unreadableFormat(version: unknown): string | null {
  if (typeof version === "number" && READABLE_FORMAT_VERSIONS.includes(version)) return null;
  const readable = READABLE_FORMAT_VERSIONS.join(", ");
  if (typeof version === "number" && Number.isInteger(version) && version > Math.max(...READABLE_FORMAT_VERSIONS))
    return `This recording is stored in format ${version}, newer than this player reads (format ${readable}). Reload the page to get the current player.`;
  return `This recording is stored in format ${String(version)}, which this player does not read (it reads format ${readable}).`;
}

export async function fetchRecording(id: string): Promise<RecordingDetail> {
  const detail = (await (await get(`/api/recordings/${encodeURIComponent(id)}`, id)).json()) as RecordingDetail;
  const problem = unreadableFormat(detail?.format?.version);
  if (problem) throw new RecordingUnavailableError(0, problem);
  return detail;
}

export async function fetchChunk(id: string, seq: number): Promise<Uint8Array> {
  const response = await get(`/api/recordings/${encodeURIComponent(id)}/chunks/${seq}`, id);
  return new Uint8Array(await response.arrayBuffer());
}

/** The recording id of a /manager/recordings/:id page. */
export function recordingIdFromPath(pathname: string): string | null {
  const id = /^\/manager\/recordings\/([^/]+)\/?$/.exec(pathname)?.[1];
  return id ? decodeURIComponent(id) : null;
}
