import type { Database } from "../../db/client";
import type { AssistantDirectory } from "../assistant/directory";
import type { CrmWriter } from "../crm/writer";
import type { RecordingStore } from "../recording/store";
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
  /** Where rooms' recordings go; none when recording is off (ATRIUM_RECORDING=off). */
  recordings: RecordingStore | undefined;
  log: (line: string) => void;
}
