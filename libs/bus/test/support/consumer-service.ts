import {
  Controller,
  type INestMicroservice,
  Inject,
  type LoggerService,
  Module,
  type Type,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { type RecordedEvent } from '@ringbus/event-store';
import {
  BusExceptionFilter,
  EventTypePattern,
  type JetStreamEventContext,
  JetStreamEventTransport,
  type JetStreamEventTransportOptions,
} from '../../src/index.js';

/** What the test's handlers do; each test supplies its own. */
export interface EventScenario {
  handle(event: RecordedEvent, context: JetStreamEventContext): Promise<void>;
}

const SCENARIO = Symbol('EventScenario');

@Controller()
class CallEventsController {
  constructor(@Inject(SCENARIO) private readonly scenario: EventScenario) {}

  // Nest's own decorator; a typed context parameter needs the explicit `<string>`.
  @EventPattern<string>('CallRequested')
  onCallRequested(@Payload() event: RecordedEvent, @Ctx() context: JetStreamEventContext): Promise<void> {
    return this.scenario.handle(event, context);
  }

  // The same, bound to the Ringbus transport.
  @EventTypePattern('CallEnded')
  onCallEnded(@Payload() event: RecordedEvent, @Ctx() context: JetStreamEventContext): Promise<void> {
    return this.scenario.handle(event, context);
  }
}

function scenarioModule(scenario: EventScenario): Type {
  @Module({ controllers: [CallEventsController], providers: [{ provide: SCENARIO, useValue: scenario }] })
  class ScenarioModule {}
  return ScenarioModule;
}

/** Collects what the transport logs, so test output stays quiet and tests can look at it. */
export class RecordingLogger implements LoggerService {
  readonly lines: string[] = [];
  log(message: unknown): void {
    this.lines.push(`log: ${String(message)}`);
  }
  error(message: unknown): void {
    this.lines.push(`error: ${String(message)}`);
  }
  warn(message: unknown): void {
    this.lines.push(`warn: ${String(message)}`);
  }
}

export async function startConsumerService(
  scenario: EventScenario,
  options: JetStreamEventTransportOptions,
  module: Type = scenarioModule(scenario),
): Promise<INestMicroservice> {
  const app = await NestFactory.createMicroservice(module, {
    strategy: new JetStreamEventTransport(options),
    logger: false,
    abortOnError: false,
  });
  app.useGlobalFilters(new BusExceptionFilter());
  await app.listen();
  return app;
}
