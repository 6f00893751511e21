import { startApp } from "./app";
import { Banner } from "./ui/banner";

startApp().catch((error: unknown) => {
  console.error(error);
  new Banner().show(
    `Something went wrong while opening the showroom: ${error instanceof Error ? error.message : String(error)}`,
    "error",
    {
      label: "Reload",
      run: () => location.reload(),
    },
  );
});
