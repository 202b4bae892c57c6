import { userInfo } from 'node:os';

/** Who is acting: recorded on every audit entry. DRYDOCK_EXAMINER overrides the login name. */
export const DEFAULT_EXAMINER: string = process.env.DRYDOCK_EXAMINER ?? safeUser();

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
