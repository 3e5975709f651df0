import type { OpenApiArea } from "./openapi-area";

/** [SETTLE] operations of this area under /api/v1. */
export const settlementStatementsApi: OpenApiArea = {
  schemas: {},
  paths: () => ({}),
};
