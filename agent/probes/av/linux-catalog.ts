// Well-known Linux AV/EDR agents: how to tell one is installed (a file it ships) and running (its process
// names). Sources: vendor install layouts as used by GLPI Agent (Linux/AntiVirus/*.pm), Kolide (allowedcmd)
// and endpoint-telemetry.md §5.2. ClamAV and Microsoft Defender have richer probes of their own (linux.ts).
//
// `sensor` marks agents whose protection is the running sensor itself, with no local signature database to age:
// for them running means real-time protection and "signatures up to date" does not apply.
// `kind: 'edr'` agents (Wazuh, Elastic Agent without Defend) watch and report but do not block malware.
export interface CatalogEntry {
  name: string;
  vendor: string;
  kind: 'av' | 'edr' | 'av+edr';
  sensor: boolean;
  installMarkers: string[];
  processes: string[];
  /** the process names are generic (pmd, startd...): count them only when the vendor's files are present */
  markerRequired?: boolean;
}

export const LINUX_AV_CATALOG: CatalogEntry[] = [
  { name: 'CrowdStrike Falcon', vendor: 'CrowdStrike', kind: 'av+edr', sensor: true, installMarkers: ['/opt/CrowdStrike/falconctl'], processes: ['falcon-sensor'] },
  { name: 'SentinelOne', vendor: 'SentinelOne', kind: 'av+edr', sensor: true, installMarkers: ['/opt/sentinelone/bin/sentinelctl'], processes: ['s1-agent', 's1-orchestrator', 's1-scanner'] },
  { name: 'Cortex XDR', vendor: 'Palo Alto Networks', kind: 'av+edr', sensor: true, installMarkers: ['/opt/traps/bin/cytool'], processes: ['pmd', 'dypd', 'authorized'], markerRequired: true },
  { name: 'Elastic Defend', vendor: 'Elastic', kind: 'av+edr', sensor: true, installMarkers: ['/opt/Elastic/Endpoint/elastic-endpoint'], processes: ['elastic-endpoint'] },
  { name: 'Elastic Agent', vendor: 'Elastic', kind: 'edr', sensor: true, installMarkers: ['/opt/Elastic/Agent/elastic-agent'], processes: ['elastic-agent'] },
  { name: 'Wazuh agent', vendor: 'Wazuh', kind: 'edr', sensor: true, installMarkers: ['/var/ossec/bin/wazuh-control'], processes: ['wazuh-agentd', 'wazuh-syscheckd', 'wazuh-modulesd'] },
  { name: 'Sophos Protection for Linux', vendor: 'Sophos', kind: 'av+edr', sensor: true, installMarkers: ['/opt/sophos-spl/bin/wdctl'], processes: ['sophos_threat_detector', 'sophos_watchdog'] },
  { name: 'Trend Micro Deep Security Agent', vendor: 'Trend Micro', kind: 'av+edr', sensor: true, installMarkers: ['/opt/ds_agent/ds_agent'], processes: ['ds_agent'] },
  { name: 'Bitdefender GravityZone', vendor: 'Bitdefender', kind: 'av+edr', sensor: true, installMarkers: ['/opt/bitdefender-security-tools/bin/bduitool'], processes: ['bdsecd', 'epagng'] },
  { name: 'VMware Carbon Black Cloud', vendor: 'VMware', kind: 'av+edr', sensor: true, installMarkers: ['/opt/carbonblack/psc/bin/repcli'], processes: ['cbagentd'] },
  { name: 'ESET Server Security', vendor: 'ESET', kind: 'av', sensor: true, installMarkers: ['/opt/eset/efs/bin/odscan'], processes: ['oaeventd', 'startd'], markerRequired: true },
  { name: 'Kaspersky Endpoint Security', vendor: 'Kaspersky', kind: 'av+edr', sensor: true, installMarkers: ['/opt/kaspersky/kesl/bin/kesl-control'], processes: ['kesl', 'wdserver'], markerRequired: true },
  { name: 'Trellix Endpoint Security', vendor: 'Trellix', kind: 'av', sensor: true, installMarkers: ['/opt/McAfee/ens/tp/bin/mfetpcli'], processes: ['mfetpd', 'mfeespd'] },
];

/** Process comm is cut to 15 characters by the kernel, so a long name matches on its prefix too. */
export function processMatches(wanted: string, comm: string, exe?: string): boolean {
  return comm === wanted || comm === wanted.slice(0, 15) || exe === wanted;
}
