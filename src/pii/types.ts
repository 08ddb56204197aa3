import { z } from 'zod';

export const PII_TYPES = [
  'email',
  'phone',
  'card_number',
  'iban',
  'crypto_address',
  'ip_address',
  'money',
  'national_id',
  'api_key',
  'person_name',
  'postal_address',
  'date_of_birth',
] as const;

export const PiiType = z.enum(PII_TYPES);
export type PiiType = z.infer<typeof PiiType>;

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** One PII finding in one piece of OCR text, with the box of the words it spans. */
export interface Detection {
  type: PiiType;
  /** Which rule found it, e.g. `pattern:email`, `label:Wallet`, `consistency`. */
  detector: string;
  confidence: number;
  /** JavaScript string indices into the line text the detector was given. */
  start: number;
  end: number;
  /** The raw value: kept in memory only, never logged or written. */
  value: string;
  box: Box;
}
