import type { custodyWorkZhCN } from "./custody-work.zh-CN";

export const custodyWorkEn: Record<keyof typeof custodyWorkZhCN, string> = {
};
