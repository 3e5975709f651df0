/** Package messages: statuses, bundling reasons and causes, errors (backend helper). Keys are shared with packages.en.ts. */
export const packagesZhCN = {
} as const;
