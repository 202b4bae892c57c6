import { userInfo } from 'node:os';
import type { ActingExaminer } from '../../shared/domain/evidence';

/**
 * Who is acting, as written on every audit entry: an explicit choice (--examiner, the UI's
 * examiner field) wins, else DRYDOCK_EXAMINER, else the examiner of the case the entry belongs
 * to, else the OS user running Drydock. The OS user is the weakest claim: a server run as root
 * would otherwise sign every entry "root" while the case says "j.doe".
 */
export class ExaminerIdentity {
  private explicit: string | undefined;

  constructor(
    explicit?: string,
    private readonly fromEnv: string | undefined = process.env.DRYDOCK_EXAMINER,
    private readonly osUser: string = loginName(),
  ) {
    this.explicit = clean(explicit);
  }

  /** The acting examiner for an entry of a case whose examiner is `caseExaminer` (none: outside a case). */
  resolve(caseExaminer?: string): ActingExaminer {
    if (this.explicit) return { name: this.explicit, source: 'explicit' };
    const env = clean(this.fromEnv);
    if (env) return { name: env, source: 'DRYDOCK_EXAMINER' };
    const kase = clean(caseExaminer);
    if (kase) return { name: kase, source: 'case' };
    return { name: this.osUser, source: 'os-user' };
  }

  /** Sets (or with undefined clears) the explicit choice; returns the previous one. */
  choose(name: string | undefined): string | undefined {
    const before = this.explicit;
    this.explicit = clean(name);
    return before;
  }
}

function clean(name: string | undefined): string | undefined {
  const trimmed = name?.trim();
  return trimmed ? trimmed : undefined;
}

function loginName(): string {
  try {
    return userInfo().username;
  } catch {
    // No user name for this UID (a container, some CI users): the examiner is named 'unknown' rather than Drydock failing to start.
    return 'unknown';
  }
}
