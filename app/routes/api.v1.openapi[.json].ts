import { apiJson } from "~/infra/api.server";
import { openApiDocument } from "~/services/api/openapi";

/** GET /api/v1/openapi.json: the OpenAPI 3.1 document, generated from the zod schemas (public). */
export async function loader() {
  return apiJson(openApiDocument());
}
