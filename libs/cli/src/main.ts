#!/usr/bin/env node
/** `ringbus`: wiring only. The commands are in program.ts; docs/billing.md, "The ringbus CLI". */
import { ringbusProgram } from './program.js';

const exitCode = await ringbusProgram({
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
}).run(process.argv.slice(2));
process.exitCode = exitCode;
