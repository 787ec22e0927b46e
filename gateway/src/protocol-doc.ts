/**
 * The device protocol's reference tables, generated from the contracts (topics, directions,
 * QoS, payload fields with their limits, event types). gateway/PROTOCOL.md carries them between
 * markers, and a test fails when they drift: `npx tsx gateway/src/protocol-doc.ts --write`
 * rewrites them.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CHANNELS, DEVICE_EVENT_TYPES, SYSTEM_EVENT_TYPES, TOPIC_PREFIX } from '@trygg/alarm-core';

interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  anyOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  format?: string;
}

function field(name: string, s: JsonSchema, required: boolean): string {
  let out = `"${name}"${required ? '' : '?'}`;
  if (s.const !== undefined) out += `: ${JSON.stringify(s.const)}`;
  else if (s.minimum !== undefined && s.maximum !== undefined) out += ` ${s.minimum}–${s.maximum}`;
  else if (s.format) out += ` (${s.format})`;
  else if (s.enum) out += ` (${s.enum.length} values)`;
  else if (s.maxLength !== undefined) out += ` ≤ ${s.maxLength} chars`;
  return out;
}

/** One schema as the payload column shows it. */
export function describePayload(schema: JsonSchema): string {
  if (schema.anyOf) return schema.anyOf.map(describePayload).join(' <br> ');
  if (schema.enum) return schema.enum.map((v) => `\`${String(v)}\``).join(' / ');
  const props = Object.entries(schema.properties ?? {});
  const req = new Set(schema.required ?? []);
  return `\`{ ${props.map(([n, s]) => field(n, s, req.has(n))).join(', ')} }\``;
}

export function protocolTables(): string {
  const rows = Object.entries(CHANNELS).map(
    ([channel, c]) =>
      `| \`${TOPIC_PREFIX}/{id}/${channel}\` | ${c.direction} | ${c.qos}${c.retained ? ', retained' : ''} | ${describePayload(c.schema as JsonSchema)} |`,
  );
  const types = DEVICE_EVENT_TYPES.filter((t) => !SYSTEM_EVENT_TYPES.includes(t));
  return [
    '| topic | direction | QoS | payload |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
    `Event types a device may send: ${types.map((t) => `\`${t}\``).join(', ')}.`,
  ].join('\n');
}

const START = '<!-- generated from the contracts: start -->';
const END = '<!-- generated from the contracts: end -->';
export const PROTOCOL_MD = fileURLToPath(new URL('../PROTOCOL.md', import.meta.url));

/** The generated block as it should stand in PROTOCOL.md. */
export function generatedBlock(): string {
  return `${START}\n<!-- prettier-ignore-start -->\n${protocolTables()}\n<!-- prettier-ignore-end -->\n${END}`;
}

/** The block PROTOCOL.md holds now (null when the markers are missing). */
export function documentedBlock(text = readFileSync(PROTOCOL_MD, 'utf8')): string | null {
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  return a < 0 || b < a ? null : text.slice(a, b + END.length);
}

if (process.argv.includes('--write') && process.argv[1] === fileURLToPath(import.meta.url)) {
  const text = readFileSync(PROTOCOL_MD, 'utf8');
  const old = documentedBlock(text);
  writeFileSync(PROTOCOL_MD, old ? text.replace(old, generatedBlock()) : `${text}\n${generatedBlock()}\n`);
}
