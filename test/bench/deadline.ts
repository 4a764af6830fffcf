// Bounded waits: every wait in the benchmark ends, on its event or at its deadline.

/** Awaits `promise` for at most `ms`; at the deadline rejects with `message`, or just resolves when message is null. */
export async function withDeadline(promise: Promise<unknown>, ms: number, message: string | null): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve, reject) => {
    timer = setTimeout(() => (message === null ? resolve() : reject(new Error(message))), ms);
  });
  try {
    await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
