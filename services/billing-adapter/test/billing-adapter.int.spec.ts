import { fileURLToPath } from 'node:url';
import { runServiceProcessContract } from '@ringbus/testkit';

await runServiceProcessContract({
  serviceName: 'billing-adapter',
  main: fileURLToPath(new URL('../dist/src/main.js', import.meta.url)),
});
