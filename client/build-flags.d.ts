/** Set by scripts/build.mjs through esbuild's define: true only in test builds (--test-hooks). */
declare const __ATRIUM_TEST_HOOKS__: boolean;
