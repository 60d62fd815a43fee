export { testDatabaseUrl, testNatsUrl, LOCAL_DATABASE_URL, LOCAL_NATS_URL, type ResolvedUrl } from './service-urls.js';
export { uniqueTestName } from './unique-names.js';
export { createTestSchema, type TestSchema } from './test-schema.js';
