// The registry of served ports: opens the configured ones, adds the USB devices that appear when
// watching, finds a port by id, and tells its listeners when the set of ports or any port's state
// changes (the page's picker follows that). Ports that go away stay listed, waiting for their device.
import type { Config, PortConfig } from '../config-types.js';
import type { DeviceStatus } from '../wire/protocol.js';
import { ServedPort, type ServedPortDeps } from './served-port.js';
import { watchByIdLinks } from './usb-watch.js';

/** What the registry tells: a port was added, or some port's state changed. */
export interface RegistryListener {
  added?(port: ServedPort): void;
  changed?(): void;
}

/** Watch mode's settings: where the stable device links are, and how to name a port after one. */
export interface WatchDeps {
  /** Directory of stable device links (default /dev/serial/by-id). */
  dir?: string;
  /** How often it is read, in ms. */
  intervalMs?: number;
  /** The port id and name for a link path (config.ts's rule, so a watched port gets the id a configured one would). */
  nameFor(linkPath: string): { id: string; name: string };
}

/** The ports of one server. */
export class PortRegistry {
  private readonly ports = new Map<string, ServedPort>();
  private readonly listeners = new Set<RegistryListener>();
  private stopWatching: (() => void) | null = null;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly config: Config,
    private readonly deps: ServedPortDeps,
  ) {}

  /** Opens every configured port (their captures, then their workers) and, with config.watch, starts watching for USB devices. */
  static async open(config: Config, deps: ServedPortDeps, watch?: WatchDeps): Promise<PortRegistry> {
    const registry = new PortRegistry(config, deps);
    try {
      for (const portConfig of config.ports) await registry.add(portConfig);
    } catch (error) {
      await registry.close();
      throw error;
    }
    if (config.watch && watch) registry.watch(watch);
    return registry;
  }

  /** Every port, in picker order (configured first, then watched ones as they appeared). */
  list(): ServedPort[] {
    return [...this.ports.values()];
  }

  /** The port with this id, if served. */
  get(id: string): ServedPort | undefined {
    return this.ports.get(id);
  }

  /** The first port: the one /ws and /api/status have always meant. */
  first(): ServedPort | undefined {
    return this.ports.values().next().value;
  }

  /** Hears added ports and state changes until the returned function is called. */
  listen(listener: RegistryListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Serves one more port (ids are unique; an id already served is refused). `remote`: a port whose
   * device is elsewhere (a fleet console's): how its handle is made and where it is served from.
   */
  async add(portConfig: PortConfig, remote?: Pick<ServedPortDeps, 'createHandle' | 'origin'>): Promise<ServedPort> {
    if (this.ports.has(portConfig.id)) throw new Error(`port id ${JSON.stringify(portConfig.id)} is already served`);
    if (this.closing) throw new Error('the server is closing');
    const port = await ServedPort.open(portConfig, { ...this.deps, ...remote });
    if (this.closing) {
      await port.close();
      throw new Error('the server is closing');
    }
    this.ports.set(port.id, port);
    let lastState: DeviceStatus['state'] | null = null;
    port.listen({
      status: (device) => {
        // The picker shows states; baud and signal changes reach the port's own viewers.
        if (device.state === lastState) return;
        lastState = device.state;
        this.changed();
      },
    });
    port.channel.subscribe({ capture: () => this.changed() });
    for (const listener of this.listeners) listener.added?.(port);
    this.changed();
    return port;
  }

  /** Stops watching and closes every port; safe to call twice. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.stopWatching?.();
      await Promise.all(this.list().map((port) => port.close()));
      this.listeners.clear();
    })();
    return this.closing;
  }

  private watch(watch: WatchDeps): void {
    const served = (link: string) => this.list().some((port) => port.config.path === link);
    this.stopWatching = watchByIdLinks({
      ...(watch.dir !== undefined ? { dir: watch.dir } : {}),
      ...(watch.intervalMs !== undefined ? { intervalMs: watch.intervalMs } : {}),
      appeared: (link) => {
        if (this.closing || served(link)) return;
        const { id, name } = watch.nameFor(link);
        if (this.ports.has(id)) return;
        void this.add({ ...this.config.watchDefaults, id, name, path: link, match: null }).catch((error: unknown) =>
          this.deps.log(`watch: cannot serve ${link}: ${(error as Error).message}`),
        );
      },
    });
  }

  /** Tells listeners that some port's summary changed in a way its device state does not show (a remote node came online). */
  announce(): void {
    this.changed();
  }

  private changed(): void {
    for (const listener of this.listeners) listener.changed?.();
  }
}
