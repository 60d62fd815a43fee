import { type MsgHdrs } from '@nats-io/nats-core';
import { BaseRpcContext } from '@nestjs/microservices';

type CommandContextArgs = [subject: string, headers: MsgHdrs | undefined];

export class CommandContext extends BaseRpcContext<CommandContextArgs> {
  getSubject(): string {
    return this.args[0];
  }

  getHeaders(): MsgHdrs | undefined {
    return this.args[1];
  }
}
