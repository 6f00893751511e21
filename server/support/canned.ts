import type { CannedResponse } from "../../schema/support";

/** Lines agents send often, one click away in the console. */
export const CANNED_RESPONSES: readonly CannedResponse[] = [
  { id: "greeting", title: "Greeting", text: "Hi, I'm here to help. What can I do for you?" },
  { id: "one-moment", title: "One moment", text: "Give me a moment while I check that for you." },
  {
    id: "dimensions",
    title: "Dimensions",
    text: "I can walk you through the exact dimensions and fit for your space.",
  },
  {
    id: "delivery",
    title: "Delivery",
    text: "Delivery usually takes 3 to 7 business days, and I can check the date for your address.",
  },
  { id: "quote", title: "Quote", text: "I can prepare a written quote for you, including delivery." },
  { id: "anything-else", title: "Anything else?", text: "Is there anything else I can help you with today?" },
  { id: "goodbye", title: "Goodbye", text: "Thank you for visiting, and enjoy the rest of the showroom!" },
];
