import { checkHealth } from "~/infra/health.server";

/** Liveness for operators and the start script: database always, Redis when configured. */
export async function loader() {
  const health = await checkHealth();
  return Response.json(health, { status: health.status === "ok" ? 200 : 503, headers: { "Cache-Control": "no-store" } });
}
