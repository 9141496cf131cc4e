import { AppError } from '../../errors';

/**
 * The bytes given are not a PDF we can read (not a PDF at all, damaged beyond repair, or
 * encrypted). An AppError, so that an upload route answers 400 instead of 500.
 */
export class InvalidPdfError extends AppError {
  constructor(message = 'The file is not a readable PDF', readonly reason?: unknown) {
    super(400, 'invalid_pdf', message);
    this.name = 'InvalidPdfError';
  }
}
