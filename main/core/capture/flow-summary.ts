import type { DnsObservation, Flow, FlowProtocol, FlowSummary } from '../../../shared/domain/capture';
import { parseDnsMessage } from './dns-message';
import { httpRequestHost } from './http-request-host';
import { decodePacket, LINKTYPE_NAMES, TCP_ACK, TCP_SYN, type DecodedPacket } from './packet-decode';
import type { PcapFileHeader } from './pcap-framer';
import { PcapReader, type PcapPacket } from './pcap-reader';
import { tlsServerName } from './tls-client-hello';

export interface SummaryLimits {
  /** Flows listed individually; the rest are counted only (a SYN flood must not exhaust memory). */
  maxFlows: number;
  maxNames: number;
  maxPerFlowNames: number;
}

export const DEFAULT_LIMITS: SummaryLimits = { maxFlows: 20000, maxNames: 5000, maxPerFlowNames: 16 };
const MAX_UNLISTED_KEYS = 100000;

interface FlowState extends Omit<Flow, 'firstSeen' | 'lastSeen'> {
  first: [number, number];
  last: [number, number];
}

/** Aggregates decoded packets into conversations, DNS, TLS server names and HTTP hosts. */
export class FlowSummarizer {
  private header: PcapFileHeader | undefined;
  private readonly flows = new Map<string, FlowState>();
  private readonly unlisted = new Set<string>();
  private unlistedOverflow = false;
  private packetsUnlisted = 0;
  private readonly dns = new Map<string, DnsObservation>();
  private readonly sni = new Map<string, number>();
  private readonly http = new Map<string, number>();
  private packets = 0;
  private wireBytes = 0;
  private undecoded = 0;
  private first: [number, number] | null = null;
  private last: [number, number] | null = null;
  private readonly reader: PcapReader;

  constructor(private readonly limits: SummaryLimits = DEFAULT_LIMITS) {
    this.reader = new PcapReader(
      (packet) => this.add(packet),
      (header) => (this.header = header),
    );
  }

  push(chunk: Buffer): void {
    this.reader.push(chunk);
  }

  finish(pcapSha256: string): FlowSummary {
    this.reader.end();
    const linkType = this.header?.linkType ?? -1;
    const flows = [...this.flows.values()]
      .map(({ first, last, ...flow }) => ({ ...flow, firstSeen: this.iso(first), lastSeen: this.iso(last) }))
      .sort((a, b) => b.bytesToServer + b.bytesToClient - (a.bytesToServer + a.bytesToClient) || a.firstSeen.localeCompare(b.firstSeen));
    return {
      pcapSha256,
      linkType,
      linkTypeName: LINKTYPE_NAMES[linkType] ?? `LINKTYPE_${linkType}`,
      packets: this.packets,
      wireBytes: this.wireBytes,
      firstSeen: this.first ? this.iso(this.first) : null,
      lastSeen: this.last ? this.iso(this.last) : null,
      flows,
      flowsNotListed: this.unlisted.size + (this.unlistedOverflow ? 1 : 0),
      packetsNotInListedFlows: this.packetsUnlisted,
      dns: [...this.dns.values()].sort((a, b) => b.queries - a.queries || a.name.localeCompare(b.name)),
      tlsServerNames: ranked(this.sni),
      httpHosts: ranked(this.http),
      undecodedPackets: this.undecoded,
      truncated: this.reader.truncated,
    };
  }

  private add(packet: PcapPacket): void {
    this.packets++;
    this.wireBytes += packet.origLen;
    const ts: [number, number] = [packet.tsSec, packet.tsFrac];
    if (!this.first || before(ts, this.first)) this.first = ts;
    if (!this.last || before(this.last, ts)) this.last = ts;
    const decoded = this.header ? decodePacket(this.header.linkType, packet.data) : null;
    if (!decoded) {
      this.undecoded++;
      return;
    }
    const flow = this.flowFor(decoded, ts);
    if (!flow) {
      this.packetsUnlisted++;
      return;
    }
    const toServer = decoded.src === flow.client.ip && decoded.srcPort === flow.client.port;
    if (toServer) {
      flow.packetsToServer++;
      flow.bytesToServer += packet.origLen;
    } else {
      flow.packetsToClient++;
      flow.bytesToClient += packet.origLen;
    }
    if (before(flow.last, ts)) flow.last = ts;
    if (before(ts, flow.first)) flow.first = ts;
    this.inspectPayload(decoded, flow);
  }

  private flowFor(p: DecodedPacket, ts: [number, number]): FlowState | null {
    const a = `${p.src}|${p.srcPort ?? ''}`;
    const b = `${p.dst}|${p.dstPort ?? ''}`;
    const key = `${p.protocol}|${a < b ? `${a}|${b}` : `${b}|${a}`}`;
    const existing = this.flows.get(key);
    if (existing) return existing;
    if (this.flows.size >= this.limits.maxFlows) {
      if (this.unlisted.size < MAX_UNLISTED_KEYS) this.unlisted.add(key);
      else this.unlistedOverflow = true;
      return null;
    }
    const senderIsClient = this.senderIsClient(p);
    const sender = { ip: p.src, port: p.srcPort };
    const receiver = { ip: p.dst, port: p.dstPort };
    const flow: FlowState = {
      protocol: protocolName(p.protocol, p.family),
      ipProtocol: p.protocol,
      client: senderIsClient ? sender : receiver,
      server: senderIsClient ? receiver : sender,
      packetsToServer: 0,
      packetsToClient: 0,
      bytesToServer: 0,
      bytesToClient: 0,
      first: ts,
      last: ts,
      tlsServerNames: [],
      httpHosts: [],
      dnsQueries: [],
    };
    this.flows.set(key, flow);
    return flow;
  }

  /** Who opened the conversation: the SYN sender when the handshake was captured, else by ports. */
  private senderIsClient(p: DecodedPacket): boolean {
    if (p.tcpFlags !== null && p.tcpFlags & TCP_SYN) return !(p.tcpFlags & TCP_ACK);
    if (p.srcPort === null || p.dstPort === null) return true;
    const wellKnown = (port: number) => port < 1024;
    if (wellKnown(p.srcPort) !== wellKnown(p.dstPort)) return wellKnown(p.dstPort);
    return true;
  }

  private inspectPayload(p: DecodedPacket, flow: FlowState): void {
    if (p.payload.length === 0) return;
    if ((p.protocol === 17 || p.protocol === 6) && (p.srcPort === 53 || p.dstPort === 53 || p.srcPort === 5353 || p.dstPort === 5353)) {
      // DNS over TCP carries a two-byte length prefix.
      const message = parseDnsMessage(p.protocol === 6 ? p.payload.subarray(2) : p.payload);
      if (message) this.noteDns(message, flow);
      return;
    }
    if (p.protocol !== 6) return;
    const sni = tlsServerName(p.payload);
    if (sni !== null) {
      if (pushCapped(flow.tlsServerNames, sni, this.limits.maxPerFlowNames)) countName(this.sni, sni, this.limits.maxNames);
      return;
    }
    const host = httpRequestHost(p.payload);
    if (host !== null && pushCapped(flow.httpHosts, host, this.limits.maxPerFlowNames)) countName(this.http, host, this.limits.maxNames);
  }

  private noteDns(message: NonNullable<ReturnType<typeof parseDnsMessage>>, flow: FlowState): void {
    for (const question of message.questions) {
      const key = `${question.name}|${question.type}`;
      let seen = this.dns.get(key);
      if (!seen) {
        if (this.dns.size >= this.limits.maxNames) continue;
        seen = { name: question.name, type: question.type, answers: [], queries: 0, responses: 0 };
        this.dns.set(key, seen);
      }
      if (message.response) {
        seen.responses++;
        seen.responseCode = message.rcode;
        for (const answer of message.answers) pushCapped(seen.answers, answer.data, this.limits.maxPerFlowNames);
      } else {
        seen.queries++;
        pushCapped(flow.dnsQueries, question.name, this.limits.maxPerFlowNames);
      }
    }
  }

  private iso([sec, frac]: [number, number]): string {
    const digits = this.header?.nanoseconds ? 9 : 6;
    const base = new Date(sec * 1000).toISOString().slice(0, 19);
    return `${base}.${String(frac).padStart(digits, '0').slice(0, digits)}Z`;
  }
}

function before(a: [number, number], b: [number, number]): boolean {
  return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
}

function protocolName(protocol: number, family: 4 | 6): FlowProtocol {
  if (protocol === 6) return 'tcp';
  if (protocol === 17) return 'udp';
  if (protocol === 1 && family === 4) return 'icmp';
  if (protocol === 58) return 'icmpv6';
  if (protocol === 132) return 'sctp';
  return 'other';
}

function pushCapped(list: string[], value: string, cap: number): boolean {
  if (list.includes(value) || list.length >= cap) return false;
  list.push(value);
  return true;
}

function countName(map: Map<string, number>, name: string, cap: number): void {
  const count = map.get(name);
  if (count !== undefined) map.set(name, count + 1);
  else if (map.size < cap) map.set(name, 1);
}

function ranked(map: Map<string, number>): { name: string; flows: number }[] {
  return [...map.entries()].map(([name, flows]) => ({ name, flows })).sort((a, b) => b.flows - a.flows || a.name.localeCompare(b.name));
}

/** Streams a pcap (any chunking) through the summariser in constant memory. */
export async function summarizePcap(
  source: AsyncIterable<Buffer | string>,
  pcapSha256: string,
  limits?: SummaryLimits,
): Promise<FlowSummary> {
  const summarizer = new FlowSummarizer(limits);
  for await (const chunk of source) summarizer.push(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk);
  return summarizer.finish(pcapSha256);
}
