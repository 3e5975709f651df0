import type { packagesZhCN } from "./packages.zh-CN";

export const packagesEn: Record<keyof typeof packagesZhCN, string> = {
};
