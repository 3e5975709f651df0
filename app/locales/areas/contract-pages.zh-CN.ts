/** contract pages: list, contract page, printable document and PDF. Keys are shared with contract-pages.en.ts. */
export const contractPagesZhCN = {
} as const;
