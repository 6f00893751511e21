import { describe, expect, it } from "vitest";
import type { Catalog } from "../../../db/catalog";
import type { Database } from "../../../db/client";
import { AssistantDirectory } from "../../../server/assistant/directory";

describe("the assistant directory", () => {
  it("once stopped, starts no assistant and says so to whoever asks", async () => {
    const lines: string[] = [];
    // Never reached: a stopped directory asks the database nothing.
    const db = {} as Database;
    const directory = new AssistantDirectory(db, "/nonexistent", (line) => lines.push(line));
    expect(directory.stopped).toBe(false);
    directory.dispose();
    expect(directory.stopped).toBe(true);
    const catalog = { showroom: { slug: "home-living" }, products: [] } as unknown as Catalog;
    await expect(directory.get(catalog)).rejects.toThrow("the assistants have been stopped");
    expect(lines).toEqual([]);
  });
});
