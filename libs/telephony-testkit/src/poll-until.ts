export interface PollOptions {
  readonly timeoutMs: number;
  /** Gives a reason to stop waiting at once, e.g. that the process expected to get ready has exited. */
  readonly abortWhen: () => string | undefined;
  /** The error's message when `timeoutMs` has passed. */
  readonly timeoutMessage: string;
}

/** Resolves once `ready()` holds, asking every 20 ms; rejects after the timeout or when `abortWhen` gives a reason. */
export async function pollUntil(
  ready: () => boolean | Promise<boolean>,
  options: PollOptions,
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (await ready()) return;
    const reason = options.abortWhen();
    if (reason !== undefined) throw new Error(reason);
    if (Date.now() > deadline) throw new Error(options.timeoutMessage);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
