import type { OpenApiArea } from "./openapi-area";

/** /api/v1/bundles and /api/v1/packages (backend helper fills this in). */
export const packagesApi: OpenApiArea = {
  schemas: {},
  paths: () => ({}),
};
