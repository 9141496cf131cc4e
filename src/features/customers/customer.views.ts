import { z } from 'zod';
import { NATIONALITY_CLASSES, type Customer, type NationalityClass } from '../../entities/Customer';
import { redactPersonalDetails } from '../../lib/redact';
import { MASKED, maskEmail, maskIdNumber, maskPhone } from './personal-data';

export const PERSONAL_FIELDS = ['phones', 'idNumber', 'employer', 'email', 'emergencyContact'] as const;
export type PersonalField = (typeof PERSONAL_FIELDS)[number];

/** What a caller may send for a customer (phones/ID as typed; they are normalised here). */
export interface CustomerInput {
  name: string;
  unit: string;
  nationality: NationalityClass;
  phones: string[];
  idNumber?: string | null;
  employer?: string | null;
  email?: string | null;
  emergencyContact?: string | null;
  notes?: string | null;
}

/** Decrypted personal fields: exist only in memory, for masking, reveal, export. */
export interface PersonalData {
  phones: string[];
  idNumber: string | null;
  employer: string | null;
  email: string | null;
  emergencyContact: string | null;
}

export interface CustomerView {
  id: number;
  project: string;
  name: string;
  unit: string;
  nationality: NationalityClass;
  phones: string[];
  idNumber: string | null;
  employer: string | null;
  email: string | null;
  emergencyContact: string | null;
  notes: string | null;
  masked: true;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * The masked view of a customer (R-SECRET): phones, ID number and email masked, employer and
 * emergency contact as *** whatever they hold, free notes redacted. `p` holds the decrypted phones,
 * ID number and email only (no need to decrypt the rest).
 */
export function maskedCustomerView(c: Customer, project: string, p: Pick<PersonalData, 'phones' | 'idNumber' | 'email'>): CustomerView {
  return {
    id: c.id,
    project,
    name: c.name,
    unit: c.unit,
    nationality: c.nationality,
    phones: p.phones.map(maskPhone),
    idNumber: p.idNumber ? maskIdNumber(p.idNumber) : null,
    employer: c.employerEnc ? MASKED : null,
    email: p.email ? maskEmail(p.email) : null,
    emergencyContact: c.emergencyContactEnc ? MASKED : null,
    // Free notes may hold a number or an employer: masked views show them redacted (R-SECRET).
    notes: c.notes === null ? null : redactPersonalDetails(c.notes).text,
    masked: true,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}

/** A customer as every route shows it, masked (R-SECRET): the response schema for the API document (the console's types). */
export const customerViewSchema = z.object({
  id: z.number().int(),
  project: z.string(),
  name: z.string(),
  unit: z.string(),
  nationality: z.enum(NATIONALITY_CLASSES),
  phones: z.array(z.string()),
  idNumber: z.string().nullable(),
  employer: z.string().nullable(),
  email: z.string().nullable(),
  emergencyContact: z.string().nullable(),
  notes: z.string().nullable(),
  masked: z.literal(true),
  createdAt: z.string().describe('ISO 8601'),
  updatedAt: z.string().describe('ISO 8601'),
});
