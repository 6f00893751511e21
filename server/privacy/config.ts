import { integer } from "../config";

/** How long data is kept, and how often the retention sweep runs (documented in README.md). */
export interface PrivacyConfig {
  /** Interactions older than this are deleted. */
  interactionRetentionDays: number;
  /** Room recordings (with their chunks) older than this are deleted by the retention sweep (retention.ts). */
  recordingRetentionDays: number;
  sweepIntervalSeconds: number;
}

export function privacyConfigFromEnv(): PrivacyConfig {
  return {
    interactionRetentionDays: integer("ATRIUM_INTERACTION_RETENTION_DAYS", 365, 1, 36_500),
    recordingRetentionDays: integer("ATRIUM_RECORDING_RETENTION_DAYS", 30, 1, 36_500),
    sweepIntervalSeconds: integer("ATRIUM_RETENTION_SWEEP_SECONDS", 3600, 1, 7 * 86_400),
  };
}
