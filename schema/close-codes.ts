/**
 * Close codes a showroom ends a connection with, beyond Colyseus's own. The browser decides what
 * to do on these numbers (never on the text beside them).
 */
export const ShowroomCloseCode = {
  /** The client kept sending what the room refuses: cut off, no seat held. */
  TooManyInvalidMessages: 4400,
  /** The same visitor opened the showroom again elsewhere: this older connection is let go. */
  SeatTakenOver: 4409,
  /** The visitor's data was erased while they were in the room: coming back starts afresh. */
  Erased: 4410,
} as const;
