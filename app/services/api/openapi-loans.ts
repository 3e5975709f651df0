import type { OpenApiArea } from "./openapi-area";

/** The /api/v1 operations of this area: named schemas (components) and paths, merged into openapi.json. */
export const loansApi: OpenApiArea = {
  schemas: {},
  paths: () => ({}),
};
