/** A part's stop steps run in reverse, go on past a failing one, and a failed start undoes itself. */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { StopStack, started } from './part.js';

const logger = pino({ level: 'silent' });

describe('StopStack', () => {
  it('runs its steps in reverse, past a failing one, once', async () => {
    const ran: string[] = [];
    const stack = new StopStack(logger);
    stack.push(async () => void ran.push('pools'));
    stack.push(async () => {
      ran.push('engine');
      throw new Error('engine would not stop');
    });
    stack.push(async () => void ran.push('gateway'));
    await stack.run();
    expect(ran).toEqual(['gateway', 'engine', 'pools']);
    await stack.run();
    expect(ran).toHaveLength(3);
  });
});

describe('started', () => {
  it("offers build's result with a stop that undoes in reverse", async () => {
    const ran: string[] = [];
    const part = await started(logger, async (onStop) => {
      onStop(async () => void ran.push('first'));
      onStop(async () => void ran.push('second'));
      return { answer: 42 };
    });
    expect(part.answer).toBe(42);
    expect(ran).toEqual([]);
    await part.stop();
    expect(ran).toEqual(['second', 'first']);
  });

  it('undoes what a failing start had started, then fails', async () => {
    const ran: string[] = [];
    const failing = started(logger, async (onStop) => {
      onStop(async () => void ran.push('listener'));
      throw new Error('port in use');
    });
    await expect(failing).rejects.toThrow('port in use');
    expect(ran).toEqual(['listener']);
  });
});
