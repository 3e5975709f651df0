import type { loanTapeZhCN } from "./loan-tape.zh-CN";

export const loanTapeEn: Record<keyof typeof loanTapeZhCN, string> = {
};
