import path from 'node:path';
import type { CaptureInfo, FlowSummary } from '../../../shared/domain/capture';
import { CliError, type CliCommand } from '../command';
import { safeText, table } from '../terminal-safe';
import { counted } from '../counted';

function integer(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new CliError(`${flag} takes a whole number`, 2);
  return n;
}

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

export function renderCapture(info: CaptureInfo): string {
  const lines = [
    `Capture ${info.id} of ${safeText(info.containerName)} on ${safeText(info.host)}: ${info.state}${info.stopReason ? ` (${info.stopReason})` : ''}`,
    `  packets ${info.counters.packets}, ${bytes(info.counters.bytes)} in ${(info.counters.elapsedMs / 1000).toFixed(1)} s; link type ${info.linkType ?? '?'}`,
  ];
  if (info.tcpdump) {
    const t = info.tcpdump;
    lines.push(
      `  tcpdump: ${t.captured ?? '?'} captured, ${t.receivedByFilter ?? '?'} received by filter, ${t.droppedByKernel ?? '?'} dropped by kernel${t.droppedByInterface !== undefined ? `, ${t.droppedByInterface} dropped by interface` : ''}`,
    );
  }
  if (info.pcap) {
    lines.push(
      `  pcap artifact ${info.pcap.artifactId} sha256 ${info.pcap.sha256} — ${info.pcap.status}${info.pcap.statusReason ? `: ${safeText(info.pcap.statusReason)}` : ''}`,
    );
    lines.push(`  for Wireshark: drydock pcap export ${info.pcap.artifactId} capture.pcap`);
  }
  if (info.flowSummaryArtifactId) lines.push(`  flow summary artifact ${info.flowSummaryArtifactId}`);
  if (info.error) lines.push(`  error: ${safeText(info.error.message)}`);
  return lines.join('\n');
}

export function renderSummary(summary: FlowSummary, limit = 25): string {
  const endpoint = (e: { ip: string; port: number | null }) =>
    e.port === null ? e.ip : e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
  const lines = [
    `${summary.packets} packets, ${summary.flows.length} flows${summary.flowsNotListed ? ` (+${summary.flowsNotListed} not listed)` : ''}, ${summary.linkTypeName}${summary.truncated ? ', file ends mid-packet' : ''}`,
    table(
      ['PROTO', 'CLIENT', 'SERVER', 'PKTS >', 'PKTS <', 'BYTES >', 'BYTES <', 'NAMES'],
      summary.flows
        .slice(0, limit)
        .map((f) => [
          f.protocol,
          endpoint(f.client),
          endpoint(f.server),
          String(f.packetsToServer),
          String(f.packetsToClient),
          String(f.bytesToServer),
          String(f.bytesToClient),
          [...f.tlsServerNames.map((n) => `sni:${n}`), ...f.httpHosts.map((n) => `host:${n}`), ...f.dnsQueries.map((n) => `dns:${n}`)].join(
            ' ',
          ),
        ]),
    ),
  ];
  if (summary.flows.length > limit) lines.push(`… ${summary.flows.length - limit} more flows (--json for all)`);
  if (summary.dns.length) {
    lines.push('', 'DNS:');
    for (const d of summary.dns.slice(0, limit))
      lines.push(
        `  ${safeText(d.name)} ${d.type} → ${d.answers.map((a) => safeText(a)).join(', ') || d.responseCode || '(no answer seen)'}`,
      );
  }
  return lines.join('\n');
}

export const captureCommands: CliCommand[] = [
  {
    path: ['capture'],
    summary: "Capture packets in a container's network namespace into the case (tcpdump in a helper, no exec); Ctrl-C stops",
    usage:
      'capture CONTAINER [--host H] [--filter BPF] [--duration S] [--count N] [--snaplen N] [--max-bytes N] [--interface IF] [--case NAME]',
    positionals: true,
    options: {
      host: { type: 'string' },
      filter: { type: 'string' },
      duration: { type: 'string' },
      count: { type: 'string' },
      snaplen: { type: 'string' },
      'max-bytes': { type: 'string' },
      interface: { type: 'string' },
      case: { type: 'string' },
      'no-summary': { type: 'boolean' },
    },
    async run(ctx, values, positionals) {
      const container = positionals[0];
      if (!container || positionals.length > 1) throw new CliError('needs one CONTAINER', 2);
      const durationSeconds = integer(values.duration, '--duration');
      const packetCount = integer(values.count, '--count');
      const snaplen = integer(values.snaplen, '--snaplen');
      const maxBytes = integer(values['max-bytes'], '--max-bytes');
      const options = {
        interface: typeof values.interface === 'string' ? values.interface : 'any',
        ...(typeof values.filter === 'string' ? { filter: values.filter } : {}),
        ...(durationSeconds !== undefined ? { durationSeconds } : {}),
        ...(packetCount !== undefined ? { packetCount } : {}),
        ...(snaplen !== undefined ? { snaplen } : {}),
        ...(maxBytes !== undefined ? { maxBytes } : {}),
      };
      const host = await ctx.host(values.host);
      let captureId: string | undefined;
      const live = !ctx.json && process.stderr.isTTY;
      const unsubscribe = ctx.on('capture.progress', (p) => {
        if (live && p.captureId === captureId)
          process.stderr.write(
            `\r  ${p.counters.packets} packets, ${bytes(p.counters.bytes)}, ${(p.counters.elapsedMs / 1000).toFixed(0)} s   `,
          );
      });
      try {
        const started = await ctx.call('capture.start', {
          host,
          container,
          options,
          summarize: values['no-summary'] !== true,
          ...(typeof values.case === 'string' ? { caseRef: values.case } : {}),
        });
        captureId = started.id;
        if (!ctx.json)
          ctx.io.err(
            `capturing in ${safeText(started.containerName)} on ${safeText(host)} (${started.linkType ?? '?'}), capture ${started.id}; Ctrl-C to stop`,
          );
        const finished = ctx.call('capture.wait', { captureId: started.id });
        const first = await Promise.race([finished.then(() => 'finished' as const), ctx.interrupted.then(() => 'interrupted' as const)]);
        const info = first === 'interrupted' ? await ctx.call('capture.stop', { captureId: started.id }) : await finished;
        if (live) process.stderr.write('\n');
        let summary: FlowSummary | undefined;
        if (info.flowSummaryArtifactId && info.pcap)
          summary = (await ctx.call('capture.summary', { pcapArtifactId: info.pcap.artifactId })).summary;
        if (ctx.json) ctx.io.out(JSON.stringify({ capture: info, summary: summary ?? null }));
        else {
          ctx.io.out(renderCapture(info));
          if (summary) ctx.io.out(`\n${renderSummary(summary)}`);
        }
        return info.state === 'finished' && info.pcap?.status === 'complete' ? 0 : 1;
      } finally {
        unsubscribe();
      }
    },
  },
  {
    path: ['pcap', 'summary'],
    summary: 'Flow summary of a stored pcap (derived and stored on first use)',
    usage: 'pcap summary PCAP_ARTIFACT_ID [--json]',
    positionals: true,
    async run(ctx, _values, positionals) {
      const id = positionals[0];
      if (!id || positionals.length > 1) throw new CliError('needs one PCAP_ARTIFACT_ID', 2);
      const result = await ctx.call('capture.summary', { pcapArtifactId: id });
      ctx.io.out(ctx.json ? JSON.stringify(result) : `${renderSummary(result.summary, 100)}\n\nSummary artifact ${result.artifactId}`);
      return 0;
    },
  },
  {
    path: ['pcap', 'export'],
    summary: 'Copy a stored artifact byte for byte to a file (hash re-verified); e.g. to open a pcap in Wireshark',
    usage: 'pcap export ARTIFACT_ID FILE',
    positionals: true,
    async run(ctx, _values, positionals) {
      const [id, file] = positionals;
      if (!id || !file || positionals.length > 2) throw new CliError('needs ARTIFACT_ID and FILE', 2);
      const result = await ctx.call('capture.export', { artifactId: id, path: path.resolve(file) });
      ctx.io.out(
        ctx.json ? JSON.stringify(result) : `Wrote ${safeText(result.path)} (${result.bytes} bytes, sha256 ${result.sha256}, verified)`,
      );
      return 0;
    },
  },
  {
    path: ['capture-helper', 'sweep'],
    summary:
      'Remove helpers Drydock recorded on a host whose Drydock process is gone (containers that only carry its labels are kept), after unpausing containers such a process paused for a memory read and never unpaused',
    usage: 'capture-helper sweep [--host H]',
    options: { host: { type: 'string' } },
    async run(ctx, values) {
      const result = await ctx.call('capture.sweep', { host: await ctx.host(values.host) });
      ctx.io.out(
        ctx.json
          ? JSON.stringify(result)
          : `removed ${counted(result.removed.length, 'helper')}${result.removed.length ? `: ${result.removed.map((n) => safeText(n)).join(', ')}` : ''}; ${result.kept} in use kept`,
      );
      if (!ctx.json) {
        // Restored first: the suspect's own state, which a dead Drydock left changed.
        for (const u of result.unpaused)
          ctx.io.out(
            `unpaused container ${safeText(u.containerName || u.containerId.slice(0, 12))} (${u.containerId.slice(0, 12)}): ${safeText(u.reason)}`,
          );
        for (const f of result.unpauseFailed)
          ctx.io.out(
            `STILL PAUSED: container ${safeText(f.containerName || f.containerId.slice(0, 12))} (${f.containerId.slice(0, 12)}), paused by Drydock memory acquisition ${safeText(f.acquisitionId)} whose process is gone, could not be unpaused: ${safeText(f.error, 300)}`,
          );
        for (const p of result.pausesSettled)
          ctx.io.out(
            `not unpaused: container ${safeText(p.containerName || p.containerId.slice(0, 12))} (${p.containerId.slice(0, 12)}): ${safeText(p.reason)}`,
          );
        // Not Drydock's, whatever their labels say: evidence to look at, never removed.
        for (const i of result.impersonators)
          ctx.io.out(`kept ${safeText(i.name || i.containerId.slice(0, 12))}: impersonates a Drydock helper (${safeText(i.reason)})`);
      }
      return result.unpauseFailed.length ? 1 : 0;
    },
  },
  {
    path: ['capture-helper', 'image'],
    summary: 'Show the capture helper image, or choose your own (--set IMAGE) or the bundled one (--bundled)',
    usage: 'capture-helper image [--set IMAGE | --bundled]',
    options: { set: { type: 'string' }, bundled: { type: 'boolean' } },
    async run(ctx, values) {
      const settings =
        typeof values.set === 'string'
          ? await ctx.call('capture.set-settings', { helperImage: values.set })
          : values.bundled
            ? await ctx.call('capture.set-settings', { helperImage: null })
            : await ctx.call('capture.settings', {});
      if (ctx.json) ctx.io.out(JSON.stringify(settings));
      else {
        ctx.io.out(`helper image: ${settings.helperImage ? safeText(settings.helperImage) : 'bundled'}`);
        const b = settings.bundle;
        ctx.io.out(
          b.tag
            ? `bundle: ${b.tag} (${b.architecture}, tcpdump ${b.tcpdumpVersion}) sha256 ${b.sha256}\n        ${safeText(b.path ?? '')}`
            : `bundle: not available — ${safeText(b.problem ?? '')}`,
        );
        if (settings.helperImage)
          ctx.io.out('note: a custom image must provide tcpdump (it drops to user tcpdump) and a busybox-compatible timeout on PATH');
      }
      return 0;
    },
  },
];
