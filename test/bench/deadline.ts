// Bounded waits: every wait in the benchmark ends, on its event or at its deadline.

/** Resolves like `promise`, or rejects with `message` if it has not settled within `ms`. */
export async function withDeadline<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits for `promise` for at most `ms`, then goes on either way (what did not arrive is counted by the caller). */
export async function waitAtMost(promise: Promise<unknown>, ms: number): Promise<void> {
  await withDeadline(promise, ms, '').catch(() => undefined);
}

/**
 * Calls `check` every `everyMs` until it returns true; rejects with `message` after `ms`. For state
 * that has no event to await (another process's counters read over its HTTP API).
 */
export async function pollUntil(check: () => Promise<boolean>, everyMs: number, ms: number, message: string): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() >= deadline) throw new Error(message);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
