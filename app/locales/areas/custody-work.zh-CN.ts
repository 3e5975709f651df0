/** the collection workbench: loans in custody, personal data, activities, conduct, limitation alerts. Keys are shared with custody-work.en.ts. */
export const custodyWorkZhCN = {
} as const;
