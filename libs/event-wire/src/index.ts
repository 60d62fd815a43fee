export {
  DEFAULT_EVENT_SUBJECT_PREFIX,
  DEFAULT_EVENTS_STREAM_NAME,
  eventSubject,
  eventTypeFilter,
  streamCategoryFilter,
  allEventsFilter,
  streamCategoryOf,
  encodeSubjectToken,
  decodeSubjectToken,
  type EventSubjectParts,
} from './event-subject.js';
export {
  EventHeader,
  encodeEventMessage,
  decodeEventMessage,
  MalformedEventMessageError,
  type EventMessage,
} from './event-message.js';
