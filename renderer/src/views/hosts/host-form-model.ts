import type { HostInput } from '../../../../shared/contract/hosts';

export interface HostFormState {
  name: string;
  url: string;
  caFile: string;
  certFile: string;
  keyFile: string;
  verify: boolean;
  sshKeyFile: string;
}

export const EMPTY_HOST_FORM: HostFormState = { name: '', url: '', caFile: '', certFile: '', keyFile: '', verify: true, sshKeyFile: '' };

export function urlScheme(url: string): 'unix' | 'tcp' | 'ssh' | 'other' {
  const u = url.trim();
  if (u.startsWith('unix://') || u.startsWith('/')) return 'unix';
  if (u.startsWith('tcp://')) return 'tcp';
  if (u.startsWith('ssh://')) return 'ssh';
  return 'other';
}

/** The form as the contract wants it: only the settings that apply to the URL's scheme. */
export function toHostInput(form: HostFormState): HostInput {
  const input: HostInput = { name: form.name.trim(), url: form.url.trim() };
  const scheme = urlScheme(form.url);
  if (scheme === 'tcp') {
    const files = {
      ...(form.caFile.trim() ? { caFile: form.caFile.trim() } : {}),
      ...(form.certFile.trim() ? { certFile: form.certFile.trim() } : {}),
      ...(form.keyFile.trim() ? { keyFile: form.keyFile.trim() } : {}),
    };
    if (Object.keys(files).length > 0 || !form.verify) input.tls = { ...files, verify: form.verify };
  }
  if (scheme === 'ssh' && form.sshKeyFile.trim()) input.ssh = { keyFile: form.sshKeyFile.trim() };
  return input;
}
