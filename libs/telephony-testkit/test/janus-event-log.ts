import Janode, { type JanusMessage } from 'janode';
import { type SipHandle } from 'janode/plugins/sip';

/** One Janus event seen on a SIP handle: the plugin's `result.event` or a core event (webrtcup, ...). */
export interface JanusEventEntry {
  readonly name: string;
  readonly atMs: number;
  /** The plugin's `result` object (code, reason, call_id, ...) or the core event's fields. */
  readonly result: Readonly<Record<string, unknown>>;
  readonly jsep: { readonly type: 'offer' | 'answer'; readonly sdp: string } | undefined;
  /** True for the Janus core's events (about the PeerConnection), false for the SIP plugin's. */
  readonly core: boolean;
}

/**
 * Every event of one handle in arrival order, including the ones janode's SIP wrapper does not surface
 * (`progress`, `holding`, `resuming`, `dtmfsent`, ...: janode turns those into "unmanaged event" errors).
 */
export class JanusEventLog {
  readonly entries: JanusEventEntry[] = [];
  private readonly listeners = new Set<() => void>();

  constructor(handle: SipHandle) {
    const dispatch = handle.handleMessage.bind(handle);
    handle.handleMessage = (message: JanusMessage) => {
      const data = message.plugindata?.data;
      const result = data?.['result'] as Record<string, unknown> | undefined;
      const name = typeof result?.['event'] === 'string' ? (result['event'] as string) : undefined;
      if (name !== undefined) {
        const callId = data?.['call_id'];
        this.add(
          name,
          { ...result, ...(callId === undefined ? {} : { call_id: callId }) },
          message.jsep,
          false,
        );
      } else if (typeof data?.['error'] === 'string') {
        this.add('error', { error: data['error'], error_code: data['error_code'] }, undefined, false);
      }
      return dispatch(message);
    };
    handle.on(Janode.EVENT.HANDLE_WEBRTCUP, () => this.add('webrtcup', {}, undefined, true));
    handle.on(Janode.EVENT.HANDLE_MEDIA, (data: Record<string, unknown>) =>
      this.add('media', data, undefined, true),
    );
    handle.on(Janode.EVENT.HANDLE_HANGUP, (data: Record<string, unknown>) =>
      this.add('core-hangup', data, undefined, true),
    );
  }

  names(): string[] {
    return this.entries.map((entry) => entry.name);
  }

  /** Only the SIP plugin's events, without the core's webrtcup, media and core-hangup. */
  pluginEventNames(): string[] {
    return this.entries.filter((entry) => !entry.core).map((entry) => entry.name);
  }

  /** Resolves with the first entry named `name` (already seen or yet to come). */
  waitFor(name: string, timeoutMs = 10_000): Promise<JanusEventEntry> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = this.entries.find((entry) => entry.name === name);
        if (found !== undefined) settle(() => resolve(found));
      };
      const timer = setTimeout(
        () =>
          settle(() =>
            reject(new Error(`no Janus ${name} within ${timeoutMs} ms; saw ${this.names().join(', ')}`)),
          ),
        timeoutMs,
      );
      const settle = (finish: () => void): void => {
        clearTimeout(timer);
        this.listeners.delete(check);
        finish();
      };
      this.listeners.add(check);
      check();
    });
  }

  private add(
    name: string,
    result: Readonly<Record<string, unknown>>,
    jsep: JanusMessage['jsep'],
    core: boolean,
  ): void {
    this.entries.push({ name, atMs: Date.now(), result, jsep, core });
    for (const listener of this.listeners) listener();
  }
}

export async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
