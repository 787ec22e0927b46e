/** The vocabulary's mappings point at codes that exist in the national code system and SCAIP. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEVICE_EVENT_TYPES, EVENT_TYPES } from './vocabulary.js';

const ALERT_CODES = fileURLToPath(
  new URL('../../../reference/fhir/vkp-r4/CodeSystem/vkp-alert-code-v090.codesystem.xml', import.meta.url),
);
/** SCAIP status codes and device types named in SS 91100 (reference/scaip.md), plus Trygg's 09xx vendor range. */
const SCAIP_STC = new Set(['0009', '0010', '0016', '0019', '0070', '0081', '0082', '0083', '0085', '0102', '0111', '0125']);
const SCAIP_DTY = /^(0003|0004|0005|0011|0023|0026|0051|09\d\d)$/;

describe('event vocabulary', () => {
  it('covers every event type the foundation names', () => {
    expect(Object.keys(EVENT_TYPES).sort()).toEqual([...DEVICE_EVENT_TYPES].sort());
  });

  it('maps alarms to existing national alert codes with their display', () => {
    const xml = readFileSync(ALERT_CODES, 'utf8');
    const codes = new Map<string, string>();
    for (const m of xml.matchAll(/<code value="([^"]+)"\s*\/>\s*<display value="([^"]+)"\s*\/>/g)) {
      codes.set(m[1] ?? '', (m[2] ?? '').replace('&#230;', 'æ'));
    }
    expect(codes.size).toBeGreaterThan(40);
    for (const [type, info] of Object.entries(EVENT_TYPES)) {
      if (info.kind === 'alarm') expect(info.alertCode, type).not.toBeNull();
      if (info.alertCode !== null) expect(codes.get(info.alertCode), type).toBe(info.alertDisplay);
    }
  });

  it('maps to SCAIP device types and status codes the standard knows', () => {
    for (const [type, info] of Object.entries(EVENT_TYPES)) {
      if (info.scaipStc !== null) expect(SCAIP_STC.has(info.scaipStc) || /^09\d\d$/.test(info.scaipStc), type).toBe(true);
      if (info.scaipDty !== null) expect(info.scaipDty, type).toMatch(SCAIP_DTY);
    }
  });
});
