import { join } from "node:path";
import type { Catalog } from "../../db/catalog";
import type { Database } from "../../db/client";
import { createDatabaseActions } from "./actions";
import { Assistant } from "./assistant";
import { loadShippingPolicy } from "./shipping";
import { workerModelFactory } from "./worker-model";

/**
 * One assistant per showroom, made when its room first opens. Models are cached on disk by a
 * hash of corpus and catalog, so a restart loads instead of training and a changed catalog
 * trains anew. Models train and answer in worker threads, never on the simulation's thread.
 */
export class AssistantDirectory {
  private readonly bySlug = new Map<string, Promise<Assistant>>();
  private readonly ready = new Map<string, Assistant>();
  /** Each showroom's intent model runs in a worker thread of its own when the server is bundled. */
  private readonly model = workerModelFactory();
  private disposed = false;

  constructor(
    private readonly db: Database,
    private readonly cacheDir: string,
    private readonly log: (line: string) => void,
  ) {}

  static forDataDir(db: Database, dataDir: string, log: (line: string) => void): AssistantDirectory {
    return new AssistantDirectory(db, join(dataDir, "nlp-cache"), log);
  }

  get(catalog: Catalog): Promise<Assistant> {
    if (this.disposed) return Promise.reject(new Error("the assistants have been stopped"));
    const slug = catalog.showroom.slug;
    const current = this.ready.get(slug);
    if (current && !current.usable) {
      // Its model worker stopped (a crash, memory): start a new one rather than fail every question.
      this.log(`[assistant] "${slug}": its model stopped; starting it again`);
      current.dispose();
      this.ready.delete(slug);
      this.bySlug.delete(slug);
    }
    let assistant = this.bySlug.get(slug);
    if (!assistant) {
      const started = Date.now();
      assistant = Assistant.create({
        catalog,
        shipping: loadShippingPolicy(),
        cacheDir: this.cacheDir,
        actions: createDatabaseActions(this.db),
        model: this.model,
        onProgress: (message) => this.log(`[assistant] "${slug}": ${message}`),
        onError: (error) => this.log(`[assistant] CRM action failed: ${(error as Error).message}`),
      }).then((ready) => {
        // Ready after the server stopped: its model worker is let go at once.
        if (this.disposed) {
          ready.dispose();
          throw new Error("the assistants have been stopped");
        }
        this.ready.set(slug, ready);
        this.log(
          `[assistant] "${slug}" ready (${ready.modelSource === "cache" ? "model loaded from cache" : "model trained"} in ${Date.now() - started} ms)`,
        );
        return ready;
      });
      // A failed start is not cached: the next room opening tries again.
      assistant.catch(() => this.bySlug.delete(slug));
      this.bySlug.set(slug, assistant);
    }
    return assistant;
  }

  /**
   * Retrains the showroom's assistant on a changed catalog (loading from the cache when that
   * catalog was seen before). Its answers and the products it recognises follow once that is done;
   * until then the previous model answers. Only the assistant: a running room's products do not.
   */
  async catalogChanged(catalog: Catalog): Promise<void> {
    const assistant = await this.get(catalog);
    await assistant.retrain(catalog);
  }

  /** The server stops: every model worker is ended, and nothing more is started or asked. */
  dispose(): void {
    this.disposed = true;
    for (const assistant of this.ready.values()) assistant.dispose();
    this.ready.clear();
    this.bySlug.clear();
  }

  get stopped(): boolean {
    return this.disposed;
  }
}
