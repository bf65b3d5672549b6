// Types for ports.js, which stays plain JavaScript so that the scripts run it directly.
export function freePort(): Promise<number>;
export function portIsFree(port: number): Promise<boolean>;
export function connectOnLoopback(port: number): Promise<string>;
