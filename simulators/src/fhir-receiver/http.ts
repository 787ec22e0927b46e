/**
 * HTTP plumbing of the FHIR receiver: reading a request body under a size cap, and writing JSON,
 * FHIR OperationOutcome and OAuth 2.0 error answers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Requests bigger than this are refused with 413. */
export const MAX_BODY_BYTES = 5 * 1024 * 1024;

export type FhirIssueCode =
  | 'invalid'
  | 'structure'
  | 'required'
  | 'value'
  | 'processing'
  | 'not-found'
  | 'not-supported'
  | 'duplicate'
  | 'multiple-matches'
  | 'login'
  | 'expired'
  | 'security'
  | 'exception'
  | 'too-costly'
  | 'informational';

export interface Issue {
  severity: 'fatal' | 'error' | 'warning' | 'information';
  code: FhirIssueCode;
  diagnostics: string;
  expression?: string[];
}

export const issue = (code: FhirIssueCode, diagnostics: string, expression?: string): Issue =>
  expression === undefined
    ? { severity: 'error', code, diagnostics }
    : { severity: 'error', code, diagnostics, expression: [expression] };

export const operationOutcome = (issues: Issue[]) => ({ resourceType: 'OperationOutcome', issue: issues });

/**
 * The whole body, or `null` when it is bigger than MAX_BODY_BYTES. An oversized body is still
 * read to its end (and dropped), so the client gets the 413 instead of a reset connection.
 */
export async function readBody(req: IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  }
  return size > MAX_BODY_BYTES ? null : Buffer.concat(chunks);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  contentType = 'application/json',
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': `${contentType}; charset=utf-8`,
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export const sendFhir = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void =>
  sendJson(res, status, body, 'application/fhir+json', headers);

/** The media type of a request without its parameters, lower-cased ('' when absent). */
export const mediaType = (req: IncomingMessage): string =>
  (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
