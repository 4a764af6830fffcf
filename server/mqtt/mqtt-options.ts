// mqtt.js's client options for a node's bridge, from the resolved `mqtt` config: who it is (client
// id, credentials, TLS files), the Last Will that marks it offline, and the protocol choices.
import { readFile } from 'node:fs/promises';
import type { IClientOptions } from 'mqtt';
import type { MqttConfig } from '../config-mqtt.js';
import { ConfigError } from '../config-error.js';
import type { NodeStatus } from './fleet-messages.js';
import { topicsFor } from './topics.js';

/**
 * MQTT 5, not 3.1.1: a broker that refuses a publish (an ACL, a quota) says so in its PUBACK reason
 * code, where 3.1.1 has no way to, so the bridge can log it instead of counting it delivered; and
 * the broker's Receive Maximum bounds what may be in flight. Mosquitto 2, EMQX, HiveMQ and
 * Node-RED's broker all speak it, and subscribers on 3.1.1 still get every message.
 */
export const MQTT_PROTOCOL_VERSION = 5;
/** Wait between reconnect attempts, in ms: a restarted broker is back within seconds, and a thousand nodes retrying every 2 s is a few hundred connects a second at most. */
export const RECONNECT_PERIOD_MS = 2000;
/** Longest wait for CONNACK, in ms: a broker over a slow link or TLS answers well within it. */
export const CONNECT_TIMEOUT_MS = 10_000;

/** The client id of node `node`: one connection per node name, so a restarted node takes over its old session at once. */
export function clientIdFor(node: string): string {
  return `serialdeck-node-${node}`;
}

/** The Last Will payload: what the broker publishes (retained) on `<root>/<node>/status` when the node vanishes without a DISCONNECT. */
export function willStatus(node: string): NodeStatus {
  return { online: false, node };
}

/** Client options for `config`, reading its TLS files; a file that cannot be read throws ConfigError naming the field. */
export async function clientOptions(config: MqttConfig): Promise<IClientOptions> {
  const options: IClientOptions = {
    protocolVersion: MQTT_PROTOCOL_VERSION,
    clientId: clientIdFor(config.node),
    // No session kept at the broker: input sent while the node was away is not typed minutes later,
    // and output is resumed by offset from the capture, not from a broker queue.
    clean: true,
    keepalive: config.keepaliveSeconds,
    reconnectPeriod: RECONNECT_PERIOD_MS,
    // A refused CONNACK (bad password, not authorized) is retried too: the broker's admin may fix it while the node runs.
    reconnectOnConnackError: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    // The bridge subscribes again itself on every connect.
    resubscribe: false,
    // Records and other QoS 0 messages are not queued while offline: a reading is superseded by the next.
    queueQoSZero: false,
    rejectUnauthorized: config.rejectUnauthorized,
    will: {
      topic: topicsFor(config.root).nodeStatus(config.node),
      payload: Buffer.from(JSON.stringify(willStatus(config.node))),
      qos: 1,
      retain: true,
    },
  };
  if (config.username !== null) options.username = config.username;
  if (config.password !== null) options.password = config.password;
  if (config.ca !== null) options.ca = await readPem('mqtt.ca', config.ca);
  if (config.cert !== null) options.cert = await readPem('mqtt.cert', config.cert);
  if (config.key !== null) options.key = await readPem('mqtt.key', config.key);
  return options;
}

/** Reads a PEM file named by config field `field`; a file that cannot be read throws ConfigError naming the field (the fleet console reads its files with it too). */
export async function readPem(field: string, path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : message;
    throw new ConfigError(`${field}: cannot read ${path}: ${reason}`);
  }
}
