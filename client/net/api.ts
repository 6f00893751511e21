import type { ApiError, GuestTokenRequest, GuestTokenResponse, ShowroomView } from "../../schema/api";
import type { CustomerDataExport, ErasureReceipt } from "../../schema/privacy";

/** The server's HTTP API, seen from the browser. Every failure becomes an Error with a readable message. */

export class ServerUnreachableError extends Error {}

async function request<T>(url: string, init?: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch {
    throw new ServerUnreachableError("The showroom server can't be reached. Check your connection and try again.");
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as Partial<ApiError> | null;
    throw new Error(body?.message ?? `The server answered ${response.status} ${response.statusText}`);
  }
  return (await response.json()) as T;
}

export function fetchShowroom(baseUrl: string, slug: string): Promise<ShowroomView> {
  return request<ShowroomView>(`${baseUrl}/api/showrooms/${encodeURIComponent(slug)}`);
}

/** Slugs of the showrooms the server has, for a visitor who opened the bare site. */
export async function fetchShowroomSlugs(baseUrl: string): Promise<string[]> {
  const list = await request<unknown>(`${baseUrl}/api/showrooms`);
  const items = Array.isArray(list) ? list : ((list as { showrooms?: unknown[] } | null)?.showrooms ?? []);
  return items.flatMap((item) =>
    typeof item === "object" && item !== null && typeof (item as { slug?: unknown }).slug === "string"
      ? [(item as { slug: string }).slug]
      : [],
  );
}

/**
 * A guest token. A returning visitor names their visitorId and proves it with its secret (absent in
 * browsers from before secrets); `consent` names the showroom entered and the privacy notice
 * version accepted for it.
 */
export function requestGuestToken(
  baseUrl: string,
  returning: { visitorId: string; visitorSecret?: string } | undefined,
  consent?: { showroom: string; version: string },
): Promise<GuestTokenResponse> {
  const body: GuestTokenRequest = {
    ...(returning ? { visitorId: returning.visitorId } : {}),
    ...(returning?.visitorSecret ? { visitorSecret: returning.visitorSecret } : {}),
    ...(consent ? { showroom: consent.showroom, consent: consent.version } : {}),
  };
  return request<GuestTokenResponse>(`${baseUrl}/api/guest-token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

/** Everything the server holds about the token's customer. */
export function fetchMyData(baseUrl: string, token: string): Promise<CustomerDataExport> {
  return request<CustomerDataExport>(`${baseUrl}/api/me/data`, { headers: { authorization: `Bearer ${token}` } });
}

/** Erases the token's customer's personal data; the visitor confirmed first. */
export function eraseMyData(baseUrl: string, token: string): Promise<ErasureReceipt> {
  return request<ErasureReceipt>(`${baseUrl}/api/me/data`, {
    method: "DELETE",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ confirm: true }),
  });
}
