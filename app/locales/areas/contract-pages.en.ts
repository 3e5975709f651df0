import type { contractPagesZhCN } from "./contract-pages.zh-CN";

export const contractPagesEn: Record<keyof typeof contractPagesZhCN, string> = {
};
