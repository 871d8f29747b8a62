export * from './inbound-item.ts';
export * from './decision.ts';
export * from './audit.ts';
export * from './outbox.ts';
