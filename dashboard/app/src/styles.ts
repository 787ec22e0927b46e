/**
 * Styles every element shares: big, high-contrast controls with an unmistakable focus ring,
 * because operators work long shifts, often with touch screens or only a keyboard.
 */
import { css } from 'lit';

export const shared = css`
  :host {
    --trygg-ink: #111;
    --trygg-muted: #3d4654;
    --trygg-surface: #fff;
    --trygg-line: #9aa3b0;
    --trygg-primary: #0b3d91;
    --trygg-primary-ink: #fff;
    --trygg-focus: #ffbf47;
    --trygg-danger: #a4001d;
    --trygg-fire: #b0001e;
    --trygg-fall: #c2410c;
    --trygg-call: #f0a500;
    --trygg-other: #5b6573;
    box-sizing: border-box;
    font-size: 1rem;
    color: var(--trygg-ink);
  }
  *,
  *::before,
  *::after {
    box-sizing: inherit;
  }
  button,
  input,
  select,
  textarea {
    font: inherit;
    color: inherit;
  }
  button {
    min-height: 44px;
    min-width: 44px;
    padding: 0.5rem 1rem;
    border-radius: 6px;
    border: 2px solid var(--trygg-primary);
    background: var(--trygg-surface);
    color: var(--trygg-primary);
    font-weight: 600;
    cursor: pointer;
  }
  button.primary {
    background: var(--trygg-primary);
    color: var(--trygg-primary-ink);
  }
  button:hover:not(:disabled) {
    filter: brightness(0.92);
  }
  button:disabled {
    cursor: not-allowed;
    opacity: 0.6;
  }
  input,
  select,
  textarea {
    min-height: 44px;
    padding: 0.5rem 0.75rem;
    border: 2px solid var(--trygg-line);
    border-radius: 6px;
    background: var(--trygg-surface);
  }
  :focus-visible {
    outline: 3px solid var(--trygg-ink);
    outline-offset: 2px;
    box-shadow: 0 0 0 6px var(--trygg-focus);
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    padding: 0;
    margin: -1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
    border: 0;
  }
  @media (prefers-reduced-motion: reduce) {
    * {
      transition: none !important;
      animation: none !important;
    }
  }
`;
