/**
 * Errors are classified once, where they are raised:
 * - BadInputError: the input can never be processed (not a video, truncated, too large...).
 *   Never retried; the CLI exits with code 2.
 * - TransientError: a fault that may pass (a tool crashed, a disk filled). May be retried.
 * - VerificationError: the output still shows PII; nothing is written.
 * Messages never contain recognised text or other PII: they name stages, files and codes.
 */
export class VeilError extends Error {
  readonly retryable: boolean = false;
  override readonly name: string = 'VeilError';
}

export class BadInputError extends VeilError {
  override readonly name = 'BadInputError';
}

export class TransientError extends VeilError {
  override readonly retryable = true;
  override readonly name = 'TransientError';
}

export class VerificationError extends VeilError {
  override readonly name = 'VerificationError';
}

export class AbortedError extends VeilError {
  override readonly name = 'AbortedError';
}

export function exitCodeFor(err: unknown): number {
  if (err instanceof BadInputError) return 2;
  if (err instanceof VerificationError) return 3;
  if (err instanceof AbortedError) return 130;
  return 1;
}

/**
 * A message about `err` that is safe to log or show: ours as they are (they never carry
 * PII or paths); a system error by its call and code only, since Node puts the path it
 * failed on into the message, and a file's name can be personal data.
 */
export function safeMessage(err: unknown): string {
  if (err instanceof VeilError) return err.message;
  const e = err as NodeJS.ErrnoException | undefined;
  if (e && typeof e.code === 'string') return `${e.syscall ?? 'a system call'} failed (${e.code})`;
  return 'unexpected error';
}
