// Reads a request body up to a byte limit without buffering more than the limit (a huge or
// endless body is cut off, not held in memory), and within a deadline for the whole body (a
// client trickling one byte a second does not hold a connection and a worker indefinitely).

export class BodyTooLargeError extends Error {
  override name = "BodyTooLargeError";
}

export class BodyTimeoutError extends Error {
  override name = "BodyTimeoutError";
}

/** Default time allowed to receive a whole body, from the first read. */
export const DEFAULT_BODY_TIMEOUT_MS = 10_000;

export async function readBodyWithLimit(
  request: Request,
  maxBytes: number,
  options: { timeoutMs?: number } = {},
): Promise<Uint8Array> {
  const declared = Number(request.headers.get("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) throw new BodyTooLargeError(`${declared} bytes declared`);
  if (!request.body) return new Uint8Array(0);
  const timeoutMs = options.timeoutMs ?? DEFAULT_BODY_TIMEOUT_MS;
  const reader = request.body.getReader();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new BodyTimeoutError(`the body was not received within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  deadline.catch(() => {}); // no unhandled rejection once the body is read
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), deadline]);
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) throw new BodyTooLargeError(`more than ${maxBytes} bytes`);
      chunks.push(value);
    }
  } catch (error) {
    // Not awaited: a stalled source must not hold the answer either.
    void reader.cancel().catch(() => {});
    throw error;
  } finally {
    clearTimeout(timer);
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}
