import { eraseMyData, fetchMyData } from "../net/api";
import { forgetGuest, guestToken, storedGuest } from "../net/guest-identity";
import { byId } from "./dom";

/**
 * "Your data": the visitor downloads what the showroom holds about them, or erases it, with their
 * own guest token. A browser that never got a token has nothing held about it.
 */
export function mountYourData(baseUrl: string, storage: Storage): void {
  const dialog = byId<HTMLDialogElement>("your-data-dialog");
  const message = byId("your-data-message");
  const exportButton = byId<HTMLButtonElement>("your-data-export");
  const eraseButton = byId<HTMLButtonElement>("your-data-erase");

  /** A valid token for the stored visitor (renewed, as the same visitor, if it expired), or null. */
  const token = async (): Promise<string | null> => {
    const stored = storedGuest(storage);
    if (!stored) return null;
    return (await guestToken(baseUrl, storage)).token;
  };

  const run = async (action: (token: string) => Promise<string>) => {
    exportButton.disabled = eraseButton.disabled = true;
    try {
      const current = await token();
      message.textContent = current
        ? await action(current)
        : "Nothing is held about this browser. 此浏览器没有任何记录。";
    } catch (error) {
      message.textContent = error instanceof Error ? error.message : String(error);
    } finally {
      exportButton.disabled = eraseButton.disabled = false;
    }
  };

  byId("your-data").addEventListener("click", () => {
    message.textContent = "";
    dialog.showModal();
  });
  exportButton.addEventListener("click", () =>
    run(async (current) => {
      const data = await fetchMyData(baseUrl, current);
      const link = document.createElement("a");
      link.href = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: "application/json" }));
      link.download = "atrium-my-data.json";
      link.click();
      URL.revokeObjectURL(link.href);
      return "Downloaded. 已下载。";
    }),
  );
  eraseButton.addEventListener("click", () => {
    if (
      !window.confirm(
        "Erase everything this showroom holds about you? This cannot be undone. 确定删除？此操作无法撤销。",
      )
    )
      return;
    void run(async (current) => {
      await eraseMyData(baseUrl, current);
      forgetGuest(storage);
      return "Erased. Reload the page to visit as someone new. 已删除。";
    });
  });
}
