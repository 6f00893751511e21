/**
 * Why the server refused to let someone into a showroom: the code of Colyseus's ServerError, which
 * the browser's SDK hands back as `error.code`. They are HTTP statuses because a refusal while the
 * room is being created (an unknown or already open showroom) travels as the matchmaking request's
 * HTTP status; a refusal at join travels as the same number over the socket. Each code has one
 * meaning, so the browser decides on the code and shows the message to the person.
 */
export const JoinErrorCode = {
  /** Something sent with the join is not acceptable (the display name, the ticket id). */
  InvalidRequest: 400,
  /** The join token is missing, malformed, expired or not this server's, or names no known visitor: get a new one. */
  TokenRefused: 401,
  /** The token is good but does not let its holder in this way (a manager, a ticket not theirs). */
  Forbidden: 403,
  UnknownShowroom: 404,
  /** The room closed while the visitor was entering: trying again opens it anew. */
  RoomClosing: 410,
  /** Too many requests to enter from this visitor or address just now: wait a few seconds. */
  TooManyRequests: 429,
  /** Every place in the showroom is taken: try again later. */
  ShowroomFull: 503,
} as const;
export type JoinErrorCode = (typeof JoinErrorCode)[keyof typeof JoinErrorCode];
