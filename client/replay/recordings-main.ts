import { byId } from "../ui/dom";
import { fetchRecordingList, type ListResult, rowOf } from "./recordings-list";

/** The /manager/recordings page (bundled to dist/client/recordings.js): the list, or why there is none. */

declare global {
  interface Window {
    /** Test builds only: what the page ended showing. */
    __atriumRecordings?: { shown: ListResult["kind"] | "empty" };
  }
}

function show(result: ListResult): void {
  const list = byId<HTMLTableSectionElement>("recordings");
  const state = byId("list-state");
  const shown = result.kind === "list" && result.recordings.length === 0 ? "empty" : result.kind;
  byId("list-table").hidden = shown !== "list";
  byId("sign-in-link").hidden = shown !== "signed-out";
  state.dataset.state = shown;
  state.hidden = shown === "list";
  if (result.kind !== "list") state.querySelector(".text")!.textContent = result.message;
  else if (shown === "empty")
    state.querySelector(".text")!.textContent = "No recordings yet: a showroom is recorded while visitors are in it.";
  else {
    list.replaceChildren(
      ...result.recordings.map((recording) => {
        const row = rowOf(recording);
        const tr = document.createElement("tr");
        tr.dataset.id = row.id;
        const cell = (text: string, className: string) => {
          const td = document.createElement("td");
          td.className = className;
          td.textContent = text;
          return td;
        };
        const link = document.createElement("a");
        link.href = row.href;
        link.textContent = row.showroom;
        const first = document.createElement("td");
        first.className = "showroom";
        first.append(link);
        if (row.live) {
          const badge = document.createElement("span");
          badge.className = "live-badge";
          badge.textContent = "LIVE";
          first.append(" ", badge);
        }
        tr.append(first, cell(row.started, "started"), cell(row.duration, "duration"), cell(row.visitors, "visitors"));
        return tr;
      }),
    );
  }
  if (__ATRIUM_TEST_HOOKS__) window.__atriumRecordings = { shown };
}

fetchRecordingList()
  .then(show)
  .catch((error: unknown) => {
    console.error(error);
    show({ kind: "error", message: error instanceof Error ? error.message : String(error) });
  });
