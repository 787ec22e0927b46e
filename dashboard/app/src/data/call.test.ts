/** The data layer's URLs: parameters escaped, query values repeated for arrays, empty ones left out. */
import { describe, expect, it } from 'vitest';
import { urlOf } from './call.js';

describe('urlOf', () => {
  it('fills path parameters escaped and appends the query', () => {
    expect(urlOf('/api/alarms/:id/commands', { id: 'a/b c' })).toBe('/api/alarms/a%2Fb%20c/commands');
    expect(urlOf('/api/devices', {}, { serial: 'TR 1', attention: true, skip: undefined, kinds: ['a', 'b'] })).toBe(
      '/api/devices?serial=TR+1&attention=true&kinds=a&kinds=b',
    );
  });
});
