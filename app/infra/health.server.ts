import net from "node:net";
import { prisma } from "./db.server";
import { getEnv } from "./env.server";

type Check = { status: "ok" } | { status: "error"; error: string } | { status: "not_configured" };

async function checkDatabase(): Promise<Check> {
  try {
    await prisma.$queryRawUnsafe("SELECT 1");
    return { status: "ok" };
  } catch (error) {
    return { status: "error", error: error instanceof Error ? error.message : String(error) };
  }
}

/** A bare RESP PING over TCP, so the health check needs no queue library and never hangs. */
export function pingRedis(url: string, timeoutMs = 1000): Promise<Check> {
  return new Promise((resolve) => {
    const u = new URL(url);
    const socket = net.connect({ host: u.hostname || "127.0.0.1", port: Number(u.port || 6379) });
    const done = (check: Check) => {
      socket.destroy();
      resolve(check);
    };
    socket.setTimeout(timeoutMs, () => done({ status: "error", error: "timeout" }));
    socket.on("error", (e) => done({ status: "error", error: e.message }));
    socket.on("connect", () => {
      const auth = u.password ? `AUTH ${decodeURIComponent(u.password)}\r\n` : "";
      socket.write(`${auth}PING\r\n`);
    });
    let buffer = "";
    socket.on("data", (chunk) => {
      buffer += chunk.toString();
      if (buffer.includes("+PONG")) done({ status: "ok" });
      else if (buffer.startsWith("-")) done({ status: "error", error: buffer.trim() });
    });
  });
}

export async function checkHealth() {
  const env = getEnv();
  const [database, redis] = await Promise.all([
    checkDatabase(),
    env.redisUrl ? pingRedis(env.redisUrl) : Promise.resolve<Check>({ status: "not_configured" }),
  ]);
  const status = database.status === "ok" && redis.status !== "error" ? "ok" : "error";
  return { status, database, redis, time: new Date().toISOString() };
}
