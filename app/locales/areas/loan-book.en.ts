import type { loanBookZhCN } from "./loan-book.zh-CN";

export const loanBookEn: Record<keyof typeof loanBookZhCN, string> = {
};
