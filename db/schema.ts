// Every table the application knows, for drizzle's relational queries and drizzle-kit.
export * from "./tables/core";
export * from "./tables/assistant";
export * from "./tables/support";
export * from "./tables/privacy";
export * from "./tables/recording";
