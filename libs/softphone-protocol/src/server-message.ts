import type { z } from 'zod';
import { eventSchemas, isEventName, type ServerEvent } from './events.js';
import {
  keepaliveHandshakeSchema,
  stateHandshakeSchema,
  type KeepaliveHandshake,
  type StateHandshake,
} from './handshakes.js';
import {
  InvalidOutgoingMessageError,
  MalformedServerMessageError,
  type ProtocolIssue,
} from './protocol-error.js';
import { responseSchemas, type SignalingResponse } from './responses.js';
import { isJsonObject, quoteName, schemaIssues, toProtocolIssues } from './schema-issues.js';

/** What the server sends: the state handshake, keep-alive echoes, responses and events. */
export type ServerMessage = StateHandshake | KeepaliveHandshake | SignalingResponse | ServerEvent;

type Check = { schema: z.ZodType } | { unknown: string };

function schemaFor(message: Record<string, unknown>): Check {
  if (Object.hasOwn(message, 'handshake')) {
    const kind = message['handshake'];
    if (kind === 'state') return { schema: stateHandshakeSchema };
    if (kind === 'keepalive') return { schema: keepaliveHandshakeSchema };
    return { unknown: `unknown handshake ${quoteName(kind)}` };
  }
  if (Object.hasOwn(message, 'response')) {
    const kind = message['response'];
    if (kind === 'ack' || kind === 'error') return { schema: responseSchemas[kind] };
    return { unknown: `unknown response ${quoteName(kind)}` };
  }
  if (Object.hasOwn(message, 'event')) {
    const kind = message['event'];
    if (isEventName(kind)) return { schema: eventSchemas[kind] };
    return { unknown: `unknown event ${quoteName(kind)}` };
  }
  return { unknown: 'message has none of the keys handshake, response, event' };
}

function describe(issues: readonly ProtocolIssue[]): string {
  return issues.map((issue) => `${issue.path || '(message)'}: ${issue.message}`).join('; ');
}

/**
 * Serializes a server message after checking it against what the public clients accept, so a wrong shape
 * fails here, loudly, instead of being silently dropped by a phone. Optional keys left undefined are omitted.
 */
export function encodeServerMessage(message: ServerMessage): string {
  if (!isJsonObject(message)) throw new InvalidOutgoingMessageError('server message is not an object', []);
  const check = schemaFor(message);
  if ('unknown' in check) throw new InvalidOutgoingMessageError(check.unknown, []);
  const parsed = check.schema.safeParse(message);
  if (!parsed.success) {
    const issues = toProtocolIssues(schemaIssues(parsed.error, message));
    throw new InvalidOutgoingMessageError(
      `server message does not match the protocol: ${describe(issues)}`,
      issues,
    );
  }
  try {
    // The message as given, not the parse result: a keep-alive echo keeps keys the schema does not name.
    return JSON.stringify(message);
  } catch (cause) {
    throw new InvalidOutgoingMessageError('server message cannot be serialized as JSON', [], { cause });
  }
}

/** Reads one text frame from the server (the client side of the protocol). */
export function parseServerMessage(text: string): ServerMessage {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new MalformedServerMessageError('server message is not valid JSON', [], { cause });
  }
  if (!isJsonObject(value)) throw new MalformedServerMessageError('server message is not a JSON object', []);
  const check = schemaFor(value);
  if ('unknown' in check) throw new MalformedServerMessageError(check.unknown, []);
  const parsed = check.schema.safeParse(value);
  if (!parsed.success) {
    const issues = toProtocolIssues(schemaIssues(parsed.error, value));
    throw new MalformedServerMessageError(
      `server message does not match the protocol: ${describe(issues)}`,
      issues,
    );
  }
  return parsed.data as ServerMessage;
}
