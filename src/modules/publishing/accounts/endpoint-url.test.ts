import { describe, expect, it } from 'vitest';
import { endpointProblem } from './endpoint-url.ts';

describe('webhook endpoint addresses', () => {
  const strict = { allowLoopbackHttp: false };
  const local = { allowLoopbackHttp: true };
  it.each([
    ['https://example.org/lanyard', strict, null],
    ['https://hooks.example.org:8443/in?x=1', strict, null],
    ['http://example.org/lanyard', strict, 'The address must start with https://'],
    ['http://127.0.0.1:4000/in', strict, 'The address must start with https://'],
    ['http://127.0.0.1:4000/in', local, null],
    ['http://localhost/in', local, null],
    ['http://[::1]:80/in', local, null],
    ['http://10.0.0.5/in', local, 'The address must start with https://'],
    ['ftp://example.org/', strict, 'The address must start with https://'],
    [
      'https://user:pw@example.org/',
      strict,
      'The address must not contain a user name or password',
    ],
    [
      'example.org',
      strict,
      'Enter the address in the correct format, like https://example.org/lanyard',
    ],
    [
      `https://example.org/${'a'.repeat(2000)}`,
      strict,
      'The address must be 2,000 characters or fewer',
    ],
  ] as const)('%s', (url, opts, expected) => {
    expect(endpointProblem(url, opts)).toBe(expected);
  });
});
