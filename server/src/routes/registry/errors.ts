/** The error responses every registry route may give. */
import { ErrorEnvelope } from '@trygg/alarm-core';

export const errors = { 400: ErrorEnvelope, 401: ErrorEnvelope, 403: ErrorEnvelope, 404: ErrorEnvelope, 409: ErrorEnvelope };
