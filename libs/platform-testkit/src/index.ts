export {
  startPlatform,
  NAMESPACE_DATABASE_URL,
  type Platform,
  type PlatformOptions,
  type StoredCall,
} from './platform.js';
export {
  Softphone,
  type IncomingSoftphoneCall,
  type SoftphoneCall,
  type SoftphoneOptions,
  type TestSubscriber,
} from './softphone.js';
export {
  type CarrierCall,
  type IncomingCallOptions,
  type IncomingCallScenario,
  type RegisteredUser,
  type RegisteredUserOptions,
} from './registered-users.js';
export {
  answeringNumber,
  busyNumber,
  carrierScenarioFile,
  shippedScenarioFile,
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
