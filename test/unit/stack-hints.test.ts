import { overlap, poolOverlapHint, unhealthyHint } from '../../scripts/lib/stack-hints';

// scripts/lib/stack-hints.js without Docker: when two subnets collide, and what stack.js then says.
describe('overlap', () => {
  it.each([
    ['172.28.0.0/24', '172.28.0.0/24', true],
    ['172.28.0.0/24', '172.28.0.128/25', true],
    ['172.28.0.0/24', '172.16.0.0/12', true],
    ['172.28.0.0/24', '172.28.1.0/24', false],
    ['192.168.64.0/20', '192.168.80.0/20', false],
    ['10.0.0.0/8', '0.0.0.0/0', true],
  ])('%s and %s: %s', (a, b, expected) => {
    expect(overlap(a, b)).toBe(expected);
    expect(overlap(b, a)).toBe(expected);
  });
});

describe('poolOverlapHint', () => {
  it("names the network in the way, both subnets, the engine's words and both ways out", () => {
    const hint = poolOverlapHint({
      mine: { key: 'favorites-ip', subnet: '172.28.0.0/24' },
      name: 'vpn-net',
      theirs: '172.28.0.0/16',
    });

    expect(hint).toMatch(
      /^POOL_OVERLAP: the network vpn-net already holds 172\.28\.0\.0\/16, which overlaps 172\.28\.0\.0\/24/,
    );
    expect(hint).toContain('"Pool overlaps with other one on this address space"');
    expect(hint).toContain('FAVORITES_SUBNET=<a.b.c.0/24> MONGO_IP=<a.b.c.10>');
    expect(hint).toContain('docker network rm vpn-net');
  });
});

describe('unhealthyHint', () => {
  it('names the removed mongo shell and mongosh when the check ran a command the image lacks', () => {
    const hint = unhealthyHint({ service: 'mongodb', exitCode: 127, output: '/bin/sh: 1: mongo: not found\n' });

    expect(hint).toMatch(/^UNHEALTHY: mongodb's healthcheck failed \(exit 127: \/bin\/sh: 1: mongo: not found\)/);
    expect(hint).toContain('use `mongosh`');
  });

  it('otherwise says how to run the check by hand and read its log', () => {
    const hint = unhealthyHint({ service: 'favorites', exitCode: 1, output: 'not ready' });

    expect(hint).not.toContain('mongosh');
    expect(hint).toContain('.State.Health');
  });
});
