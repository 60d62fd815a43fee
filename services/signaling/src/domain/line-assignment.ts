/**
 * The line an incoming call takes: the one the offer names when it is free, else the first free line,
 * else none (the call is missed: every line is busy).
 */
export function chooseIncomingLine(
  preferred: number | undefined,
  lineCount: number,
  busy: ReadonlySet<number>,
): number | null {
  if (preferred !== undefined && preferred < lineCount && !busy.has(preferred)) return preferred;
  for (let line = 0; line < lineCount; line += 1) if (!busy.has(line)) return line;
  return null;
}
