import { describe, expect, it } from 'vitest';
import { outcomeText } from './client.js';

describe('a refusal as a person reads it', () => {
  it('takes code and diagnostics from an OperationOutcome', () => {
    const body = JSON.stringify({
      resourceType: 'OperationOutcome',
      issue: [
        { severity: 'error', code: 'not-found', diagnostics: 'no patient with this identifier' },
        { severity: 'error', code: 'invalid' },
      ],
    });
    expect(outcomeText(body)).toBe('not-found: no patient with this identifier; invalid');
  });

  it('leaves anything else to the raw body', () => {
    expect(outcomeText('<html>Bad gateway</html>')).toBeNull();
    expect(outcomeText(JSON.stringify({ resourceType: 'Bundle' }))).toBeNull();
  });
});
