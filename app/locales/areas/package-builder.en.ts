import type { packageBuilderZhCN } from "./package-builder.zh-CN";

export const packageBuilderEn: Record<keyof typeof packageBuilderZhCN, string> = {
};
