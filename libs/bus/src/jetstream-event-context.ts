import { type DeliveryInfo } from '@nats-io/jetstream';
import { type MsgHdrs } from '@nats-io/nats-core';
import { BaseRpcContext } from '@nestjs/microservices';

type JetStreamEventContextArgs = [subject: string, headers: MsgHdrs | undefined, info: DeliveryInfo];

/**
 * What an event handler may know about the delivery besides the event itself. It deliberately holds no
 * handle to ack or nak: the transport settles the message from the handler's outcome.
 */
export class JetStreamEventContext extends BaseRpcContext<JetStreamEventContextArgs> {
  getSubject(): string {
    return this.args[0];
  }

  getHeaders(): MsgHdrs | undefined {
    return this.args[1];
  }

  /** 1 on the first delivery; above 1 the handler's effect may already be committed. */
  getDeliveryCount(): number {
    return this.args[2].deliveryCount;
  }

  getStreamSequence(): number {
    return this.args[2].streamSequence;
  }

  getStreamName(): string {
    return this.args[2].stream;
  }

  getDurableName(): string {
    return this.args[2].consumer;
  }
}
