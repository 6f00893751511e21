import type { Database } from "../../db/client";
import type { AssistantDirectory } from "../assistant/directory";
import type { CrmWriter } from "../crm/writer";
import type { RoomMetrics } from "./metrics";

/** What every showroom room of one server shares: given once, when the room type is defined. */
export interface RoomServices {
  db: Database;
  writer: CrmWriter;
  secret: string;
  reconnectSeconds: number;
  /** Rooms report their tick and patch timings here (bench, /api/metrics). */
  metrics: Map<string, RoomMetrics>;
  assistants: AssistantDirectory;
  log: (line: string) => void;
}
