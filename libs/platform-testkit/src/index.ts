export {
  startPlatform,
  NAMESPACE_DATABASE_URL,
  type Platform,
  type PlatformOptions,
  type StoredCall,
} from './platform.js';
export { Softphone, type SoftphoneCall, type SoftphoneOptions, type TestSubscriber } from './softphone.js';
export {
  answeringNumber,
  busyNumber,
  carrierScenarioFile,
  ANSWERING_NUMBER_PREFIX,
  BUSY_NUMBER_PREFIX,
} from './carrier.js';
export { sippTraceTimeMs } from './sipp-time.js';
export {
  locateRingbusBuild,
  loadSignalingProvisioning,
  type RingbusBuild,
  type SignalingProvisioning,
  type SignalingSessionToken,
} from './ringbus-build.js';
export {
  PlatformTestkitError,
  PlatformBuildMissingError,
  PlatformStartError,
  CallNotFoundError,
  type PlatformTestkitErrorCode,
} from './errors.js';
