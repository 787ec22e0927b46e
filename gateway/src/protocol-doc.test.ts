import { describe, expect, it } from 'vitest';
import { documentedBlock, generatedBlock } from './protocol-doc.js';

describe('gateway/PROTOCOL.md', () => {
  it('shows the topics, payloads and event types the contracts define (regenerate: npx tsx gateway/src/protocol-doc.ts --write)', () => {
    expect(documentedBlock()).toBe(generatedBlock());
  });
});
