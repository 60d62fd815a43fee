export { RingbusError, isRetryable, type RingbusErrorJson } from './ringbus-error.js';
