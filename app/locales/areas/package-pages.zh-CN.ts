/** Package list, detail, approval and data room pages. Keys are shared with package-pages.en.ts. */
export const packagePagesZhCN = {
} as const;
