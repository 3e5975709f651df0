import type { packagePagesZhCN } from "./package-pages.zh-CN";

export const packagePagesEn: Record<keyof typeof packagePagesZhCN, string> = {
};
