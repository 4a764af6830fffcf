// The MQTT topic layout, written once: the node's bridge publishes and subscribes with these, the
// fleet console reads them. docs/fleet.md documents it. Every topic sits under a root (default
// `serialdeck`), then the node name, then the port id; MQTT wildcards never appear in either name.

/** Default first topic level; `--mqtt-root` (config mqtt.root) changes it to share a broker with other tenants. */
export const DEFAULT_TOPIC_ROOT = 'serialdeck';

/**
 * A node or port name as it may sit in one topic level: not empty, at most 64 characters, none of
 * MQTT's `+`, `#` or `/` (a wildcard, or several levels), no NUL, and not starting with `$`
 * (reserved: `$SYS` at the broker, `$replay` here).
 */
export function isTopicLevel(name: string): boolean {
  return name.length > 0 && name.length <= 64 && !name.startsWith('$') && !/[+#/\u0000]/.test(name);
}

/** The topics of one root. Node and port names must pass isTopicLevel (the caller checks, once, at config time). */
export function topicsFor(root: string) {
  const port = (node: string, id: string): string => `${root}/${node}/${id}`;
  return {
    /** Retained JSON NodeStatus; the bridge's Last Will sets `online: false` here. */
    nodeStatus: (node: string) => `${root}/${node}/status`,
    /** Retained JSON PortStatus, republished on every change and on every (re)connect. */
    portStatus: (node: string, id: string) => `${port(node, id)}/status`,
    /** Binary OutFrames (see out-frame.ts) of the port's stream, QoS 1, in offset order. */
    output: (node: string, id: string) => `${port(node, id)}/out`,
    /** JSON records parsed from the port's lines (RecordMessage), QoS 0: a reading superseded by the next. */
    records: (node: string, id: string) => `${port(node, id)}/records`,
    /** JSON InputRequest: a command or bytes for the port, with a transaction to correlate the answer. */
    input: (node: string, id: string) => `${port(node, id)}/in`,
    /** JSON InputResponse to an InputRequest, carrying its transaction. */
    inputResponse: (node: string, id: string) => `${port(node, id)}/in/response`,
    /** JSON FetchRequest: a range of the stream to be republished from the capture to `replyTo`. */
    fetch: (node: string, id: string) => `${port(node, id)}/fetch`,
    /** Where a fleet console named `consoleId` receives the OutFrames it fetched (kind replay / replay-end / missing). */
    replay: (consoleId: string, node: string, id: string) => `${root}/$replay/${consoleId}/${node}/${id}`,

    /** Subscription for every node's status. */
    allNodeStatus: `${root}/+/status`,
    /** Subscription for every port's status. */
    allPortStatus: `${root}/+/+/status`,
    /** Subscription for every port's output. */
    allOutput: `${root}/+/+/out`,
    /** Subscription for everything replayed to console `consoleId`. */
    allReplay: (consoleId: string) => `${root}/$replay/${consoleId}/+/+`,
  };
}

/** The topic functions of one root. */
export type Topics = ReturnType<typeof topicsFor>;

/** Splits `<root>/<node>/<port>/<leaf…>` into its levels; null when the topic is not under `root` or too short. */
export function parsePortTopic(root: string, topic: string): { node: string; port: string; leaf: string } | null {
  if (!topic.startsWith(`${root}/`)) return null;
  const levels = topic.slice(root.length + 1).split('/');
  if (levels.length < 3) return null;
  const [node, port, ...leaf] = levels;
  return { node: node!, port: port!, leaf: leaf.join('/') };
}
