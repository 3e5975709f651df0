/** The bundle builder page /packages/new. Keys are shared with package-builder.en.ts. */
export const packageBuilderZhCN = {
} as const;
