// Starts any peer by name, and says which peers can run on this machine.
import { startFloor } from './floor.js';
import type { Peer, PeerName } from './peer.js';
import { ser2netInstalled, startSer2net } from './ser2net.js';
import { serialdeckBuilt, startSerialdeck } from './serialdeck.js';

/** Starts peer `name` serving `devicePath`. */
export function startPeer(name: PeerName, devicePath: string): Promise<Peer> {
  switch (name) {
    case 'floor':
    case 'floor-worker':
      return startFloor(devicePath, name);
    case 'ser2net':
      return startSer2net(devicePath);
    case 'serialdeck':
      return startSerialdeck(devicePath);
    case 'serialdeck-nocapture':
      return startSerialdeck(devicePath, { capture: false });
  }
}

/** Why `name` cannot run here, or null when it can. */
export function peerUnavailable(name: PeerName): string | null {
  if (name === 'ser2net' && !ser2netInstalled()) return 'not installed (apt-get install ser2net)';
  if ((name === 'serialdeck' || name === 'serialdeck-nocapture') && !serialdeckBuilt()) return 'not built (npm run build)';
  return null;
}
