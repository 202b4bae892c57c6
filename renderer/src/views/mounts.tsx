import { useClient } from '../shell/app-context';
import { CaptureView } from './capture/CaptureView';
import { ProcessesView } from './processes/ProcessesView';
import type { ViewProps } from './view-types';

// The process and capture views take their host/container once, at mount: remount them (key) when
// another view opens them on a different target.

export function ProcessesMount({ params, visit }: ViewProps) {
  const client = useClient();
  return (
    <ProcessesView
      key={visit}
      client={client}
      {...(params.host ? { host: params.host } : {})}
      {...(params.container ? { container: params.container } : {})}
      autoRun={params.run === true}
    />
  );
}

export function CaptureMount({ params, visit }: ViewProps) {
  const client = useClient();
  return (
    <CaptureView
      key={visit}
      client={client}
      {...(params.host ? { host: params.host } : {})}
      {...(params.container ? { container: params.container } : {})}
    />
  );
}
