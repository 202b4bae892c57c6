import type { HostProfile, SshSettings, TlsSettings } from '../../../shared/domain/hosts';
import { DrydockFailure } from '../errors';
import type { Db } from '../store/database';

interface Row {
  name: string;
  url: string;
  kind: HostProfile['kind'];
  tls_json: string | null;
  ssh_json: string | null;
  created_at: string;
}

function toProfile(row: Row): HostProfile {
  return {
    name: row.name,
    url: row.url,
    kind: row.kind,
    ...(row.tls_json ? { tls: JSON.parse(row.tls_json) as TlsSettings } : {}),
    ...(row.ssh_json ? { ssh: JSON.parse(row.ssh_json) as SshSettings } : {}),
    createdAt: row.created_at,
  };
}

/** Saved host profiles. Only file paths are stored: key material stays in the examiner's files. */
export class HostProfiles {
  constructor(private readonly db: Db) {}

  list(): HostProfile[] {
    return this.db.prepare<[], Row>('SELECT * FROM hosts ORDER BY name').all().map(toProfile);
  }

  find(name: string): HostProfile | undefined {
    const row = this.db.prepare<[string], Row>('SELECT * FROM hosts WHERE name = ?').get(name);
    return row ? toProfile(row) : undefined;
  }

  get(name: string): HostProfile {
    const profile = this.find(name);
    if (!profile) throw new DrydockFailure('not-found', `No host named ${name}; add it first (hosts add)`, { host: name });
    return profile;
  }

  insert(profile: HostProfile): void {
    if (this.find(profile.name))
      throw new DrydockFailure('conflict', `A host named ${profile.name} already exists`, { host: profile.name });
    this.db
      .prepare('INSERT INTO hosts (name, url, kind, tls_json, ssh_json, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(
        profile.name,
        profile.url,
        profile.kind,
        profile.tls ? JSON.stringify(profile.tls) : null,
        profile.ssh ? JSON.stringify(profile.ssh) : null,
        profile.createdAt,
      );
  }

  delete(name: string): boolean {
    return this.db.prepare('DELETE FROM hosts WHERE name = ?').run(name).changes > 0;
  }
}
