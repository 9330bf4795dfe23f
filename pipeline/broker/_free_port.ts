/** Asks the OS for a free TCP port on `host`. */
export function freePort(host = "127.0.0.1"): number {
  const listener = Deno.listen({ hostname: host, port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** Whether nothing listens on `host:port` yet. */
export function isPortFree(port: number, host = "127.0.0.1"): boolean {
  try {
    Deno.listen({ hostname: host, port }).close();
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.AddrInUse) return false;
    throw err;
  }
}
