// Request bodies for the API: read whole, with a size limit, into memory of their own.

/** Reads a request body into one Uint8Array of its own (safe to transfer), or null past `limitBytes` (the rest is drained). */
export async function readBody(req: AsyncIterable<Buffer>, limitBytes: number): Promise<Uint8Array | null> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const part of req) {
    size += part.byteLength;
    if (size <= limitBytes) parts.push(part);
  }
  if (size > limitBytes) return null;
  return new Uint8Array(Buffer.concat(parts));
}
