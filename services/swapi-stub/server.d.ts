import type { Server } from 'node:http';

export function createSwapiStub(options?: { delayMs?: number; failStatus?: number }): Server;
