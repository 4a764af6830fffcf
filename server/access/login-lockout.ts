// Failed logins per client address: after `attempts` failures within `windowMs`, that address is
// refused for `durationMs` (Moonraker and fail2ban do the same), and the caller logs it once. Memory
// is bounded: old failures are forgotten, and at most MAX_TRACKED_ADDRESSES addresses are kept.

/** How many addresses are tracked at once: a LAN has far fewer; a flood of spoofed sources cannot grow memory past this. */
const MAX_TRACKED_ADDRESSES = 10_000;

/** Lockout settings (config `lockout`). */
export interface LockoutSettings {
  /** Failures within the window that lock an address out. */
  attempts: number;
  windowMs: number;
  /** How long a locked-out address is refused. */
  durationMs: number;
}

interface Entry {
  failures: number[];
  lockedUntilMs: number;
}

/** Counts failures and answers whether an address is locked out. */
export class LoginLockout {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly settings: LockoutSettings,
    private readonly now: () => number = Date.now,
  ) {}

  /** ms until `address` may try again; 0 when it is not locked out. */
  lockedFor(address: string): number {
    const entry = this.entries.get(address);
    if (!entry) return 0;
    const left = entry.lockedUntilMs - this.now();
    if (left > 0) return left;
    if (entry.lockedUntilMs > 0) this.entries.delete(address); // the lockout expired: a clean slate
    return 0;
  }

  /** Records a failure; returns true when this one locked the address out (log it then). */
  fail(address: string): boolean {
    const now = this.now();
    let entry = this.entries.get(address);
    if (!entry) {
      if (this.entries.size >= MAX_TRACKED_ADDRESSES) this.evictOldest();
      entry = { failures: [], lockedUntilMs: 0 };
      this.entries.set(address, entry);
    }
    entry.failures = entry.failures.filter((t) => now - t < this.settings.windowMs);
    entry.failures.push(now);
    if (entry.failures.length < this.settings.attempts) return false;
    entry.failures = [];
    entry.lockedUntilMs = now + this.settings.durationMs;
    return true;
  }

  /** A success clears the address's failures (not a lockout in force). */
  succeed(address: string): void {
    const entry = this.entries.get(address);
    if (entry && entry.lockedUntilMs <= this.now()) this.entries.delete(address);
  }

  private evictOldest(): void {
    const oldest = this.entries.keys().next();
    if (!oldest.done) this.entries.delete(oldest.value);
  }
}
