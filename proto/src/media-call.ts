import { toJson, type JsonObject } from '@bufbuild/protobuf';
import { RingbusError } from '@ringbus/errors';
import { fromEventData } from './event-data.js';
import {
  MediaCallReplySchema,
  MediaCallRequestSchema,
  type MediaCallReply,
  type MediaCallRequest,
} from './gen/ringbus/media/v1/media_call_pb.js';

export type MediaCallMessageErrorCode = 'MEDIA_CALL_MESSAGE_INVALID' | 'MEDIA_CALL_SUBJECT_INVALID';

/** A media call request or reply that cannot be read, or a call id that cannot name a subject. */
export class MediaCallMessageError extends RingbusError<MediaCallMessageErrorCode> {
  readonly retryable = false;
  constructor(
    readonly code: MediaCallMessageErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Every call's media subject starts with this; media-orchestration listens on one per call it carries. */
export const MEDIA_CALL_SUBJECT_PREFIX = 'ringbus.media.calls';

// One NATS subject token: no separators, wildcards or whitespace, so a call id cannot widen a subscription.
const SUBJECT_TOKEN = /^[A-Za-z0-9_-]{1,128}$/;

/** The NATS subject of the requests for one call's Janus leg. */
export function mediaCallSubject(callId: string): string {
  if (!SUBJECT_TOKEN.test(callId)) {
    throw new MediaCallMessageError(
      'MEDIA_CALL_SUBJECT_INVALID',
      `call id ${JSON.stringify(callId)} cannot be a NATS subject token`,
    );
  }
  return `${MEDIA_CALL_SUBJECT_PREFIX}.${callId}`;
}

export function mediaCallRequestToJson(request: MediaCallRequest): JsonObject {
  return toJson(MediaCallRequestSchema, request) as JsonObject;
}

/** Reads a request in proto JSON form; throws MediaCallMessageError when it is not one. */
export function mediaCallRequestFromJson(json: unknown): MediaCallRequest {
  return readMessage(() => fromEventData(MediaCallRequestSchema, json), 'request');
}

export function mediaCallReplyToJson(reply: MediaCallReply): JsonObject {
  return toJson(MediaCallReplySchema, reply) as JsonObject;
}

/** Reads a reply in proto JSON form; throws MediaCallMessageError when it is not one. */
export function mediaCallReplyFromJson(json: unknown): MediaCallReply {
  return readMessage(() => fromEventData(MediaCallReplySchema, json), 'reply');
}

function readMessage<T>(read: () => T, what: string): T {
  try {
    return read();
  } catch (cause) {
    throw new MediaCallMessageError(
      'MEDIA_CALL_MESSAGE_INVALID',
      `not a media call ${what}: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
}
