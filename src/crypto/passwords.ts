import bcrypt from 'bcryptjs';
import crypto from 'node:crypto';

export const hashPassword = (password: string, rounds: number): Promise<string> => bcrypt.hash(password, rounds);
export const checkPassword = (password: string, hash: string): Promise<boolean> => bcrypt.compare(password, hash);

/** A hash compared against when the username is unknown, so both failures take the same time. */
let dummyHash: string | null = null;
export async function dummyCompare(password: string, rounds: number): Promise<false> {
  dummyHash ??= await bcrypt.hash(crypto.randomBytes(16).toString('hex'), rounds);
  await bcrypt.compare(password, dummyHash);
  return false;
}

export function randomPassword(): string {
  return crypto.randomBytes(18).toString('base64url');
}
