/** This service's version (package.json's; a unit test keeps the two equal). */
export const SIGNALING_VERSION = '0.1.0';
