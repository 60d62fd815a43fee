import { readFileSync } from 'node:fs';
import { NotInLoopbackNamespaceError } from './errors.js';

/**
 * The veth interface that carries 127.0.0.1 inside the namespace scripts/in-netns.sh creates. Janus's ICE
 * skips interfaces flagged loopback, so it is enforced to this one (`ice_enforce_list`).
 */
export const LOOPBACK_ICE_INTERFACE = 'jlo0';

/**
 * True when this process runs inside the test namespace (the veth interface exists here). Reads
 * /proc/net/dev, which shows the reader's network namespace; /sys/class/net would show the host's, because
 * sysfs reflects the namespace of whoever mounted it.
 */
export function insideLoopbackNamespace(): boolean {
  const devices = readFileSync('/proc/net/dev', 'utf8');
  return devices.split('\n').some((line) => line.trimStart().startsWith(`${LOOPBACK_ICE_INTERFACE}:`));
}

export function assertInsideLoopbackNamespace(): void {
  if (!insideLoopbackNamespace()) throw new NotInLoopbackNamespaceError(LOOPBACK_ICE_INTERFACE);
}
