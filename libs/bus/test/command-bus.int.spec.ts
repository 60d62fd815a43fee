import { type NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { Controller, type INestMicroservice, Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { testNatsUrl, uniqueTestName } from '@ringbus/testkit';
import { lastValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BusExceptionFilter,
  CommandBus,
  CommandClientProxy,
  type CommandContext,
  CommandRejectedError,
  CommandTimeoutError,
  JetStreamEventTransport,
  NoCommandHandlerError,
} from '../src/index.js';
import { RecordingLogger } from './support/consumer-service.js';
import { sleep } from './support/event-stream.js';

class CallNotFoundError extends Error {
  readonly code = 'CALL_NOT_FOUND';
  readonly retryable = false;
}

interface CommandSubjects {
  readonly hangup: string;
  readonly slow: string;
  readonly whoAmI: string;
  readonly trace: string;
}

/** A command controller bound to this run's subjects, answering as instance `instance`. */
function commandModule(subjects: CommandSubjects, instance: string, answered: string[]): Type {
  @Controller()
  class CallCommandsController {
    @MessagePattern(subjects.hangup)
    hangup(
      @Payload() command: { callId: string },
      @Ctx() context: CommandContext,
    ): { callId: string; subject: string } {
      if (command.callId === 'missing') throw new CallNotFoundError(`no live call ${command.callId}`);
      return { callId: command.callId, subject: context.getSubject() };
    }

    @MessagePattern(subjects.slow)
    async slow(@Payload() command: { ms: number }): Promise<string> {
      await sleep(command.ms);
      return 'late';
    }

    @MessagePattern(subjects.trace)
    trace(@Ctx() context: CommandContext): string | undefined {
      return context.getHeaders()?.get('traceparent');
    }

    @MessagePattern(subjects.whoAmI)
    whoAmI(): string {
      answered.push(instance);
      return instance;
    }
  }

  @Module({ controllers: [CallCommandsController] })
  class CallCommandsModule {}
  return CallCommandsModule;
}

describe('commands over NATS request/reply', () => {
  let natsUrl: string;
  let caller: NatsConnection;
  let bus: CommandBus;
  const prefix = uniqueTestName('cmd');
  const subjects: CommandSubjects = {
    hangup: `${prefix}.call.hangup`,
    slow: `${prefix}.call.slow`,
    whoAmI: `${prefix}.who`,
    trace: `${prefix}.trace`,
  };
  const services: INestMicroservice[] = [];
  const whoAmIAnswers: string[] = [];

  async function startCommandService(instance: string): Promise<INestMicroservice> {
    const app = await NestFactory.createMicroservice(commandModule(subjects, instance, whoAmIAnswers), {
      strategy: new JetStreamEventTransport({
        servers: natsUrl,
        durableName: `${prefix}_signaling`,
        logger: new RecordingLogger(),
      }),
      logger: false,
      abortOnError: false,
    });
    app.useGlobalFilters(new BusExceptionFilter());
    await app.listen();
    services.push(app);
    return app;
  }

  beforeAll(async () => {
    natsUrl = (await testNatsUrl()).url;
    caller = await connect({ servers: natsUrl, name: 'command-caller' });
    bus = new CommandBus(caller);
    await startCommandService('a');
  });

  afterAll(async () => {
    await Promise.all(services.map((app) => app.close()));
    await caller?.close();
  });

  it("returns the handler's result", async () => {
    await expect(bus.request(subjects.hangup, { callId: 'c1' }, { timeoutMs: 2_000 })).resolves.toEqual({
      callId: 'c1',
      subject: subjects.hangup,
    });
  });

  it("throws a non-retryable CommandRejectedError carrying the handler's code and message", async () => {
    const rejection = await bus
      .request(subjects.hangup, { callId: 'missing' }, { timeoutMs: 2_000 })
      .catch((e) => e);
    expect(rejection).toBeInstanceOf(CommandRejectedError);
    expect(rejection).toMatchObject({
      code: 'COMMAND_REJECTED',
      retryable: false,
      rejection: { code: 'CALL_NOT_FOUND', message: 'no live call missing', retryable: false },
    });
  });

  it('throws a retryable CommandTimeoutError when the reply is late', async () => {
    const timeout = await bus.request(subjects.slow, { ms: 500 }, { timeoutMs: 100 }).catch((e) => e);
    expect(timeout).toBeInstanceOf(CommandTimeoutError);
    expect(timeout).toMatchObject({ code: 'COMMAND_TIMEOUT', retryable: true, timeoutMs: 100 });
  });

  it('throws a retryable NoCommandHandlerError when nobody subscribes to the subject', async () => {
    const noHandler = await bus.request(`${prefix}.nobody.home`, {}, { timeoutMs: 2_000 }).catch((e) => e);
    expect(noHandler).toBeInstanceOf(NoCommandHandlerError);
    expect(noHandler).toMatchObject({ code: 'NO_COMMAND_HANDLER', retryable: true });
  });

  it("serves Nest's ClientProxy.send with the same results and typed errors", async () => {
    const client = new CommandClientProxy(caller, { timeoutMs: 2_000 });
    await expect(lastValueFrom(client.send(subjects.hangup, { callId: 'c2' }))).resolves.toMatchObject({
      callId: 'c2',
    });
    await expect(lastValueFrom(client.send(subjects.hangup, { callId: 'missing' }))).rejects.toBeInstanceOf(
      CommandRejectedError,
    );
  });

  it('carries headers: from CommandBus options and from a ClientProxy dispatch hook', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    await expect(
      bus.request(subjects.trace, {}, { timeoutMs: 2_000, headers: { traceparent } }),
    ).resolves.toBe(traceparent);
    const client = new CommandClientProxy(caller, { timeoutMs: 2_000 });
    client.setOnDispatchHook((packet) => {
      packet.metadata = { traceparent };
    });
    await expect(lastValueFrom(client.send(subjects.trace, {}))).resolves.toBe(traceparent);
  });

  it('shares commands between instances of one service through the queue group', async () => {
    await startCommandService('b');
    const replies: string[] = [];
    for (let i = 0; i < 40; i++)
      replies.push(await bus.request<string>(subjects.whoAmI, {}, { timeoutMs: 2_000 }));
    await sleep(100);
    // Each command ran on exactly one instance, and both instances took some.
    expect(whoAmIAnswers).toEqual(replies);
    expect(new Set(replies)).toEqual(new Set(['a', 'b']));
  });
});
