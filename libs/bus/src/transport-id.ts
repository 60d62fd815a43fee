// Registered globally so that handlers bound to it still match when two copies of this package load.
export const JETSTREAM_EVENT_TRANSPORT: unique symbol = Symbol.for('ringbus.jetstream-event-transport');
