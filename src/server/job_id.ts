/** Job ids a page on another site cannot guess (sequential ids would let it cancel jobs blindly). */
import { randomBytes } from 'node:crypto';

export function newJobId(): string {
  return `job-${randomBytes(12).toString('base64url')}`;
}
