// Registry of the agent's pure parsers, by id "<os>.<format>". `soclite agent parse <id> <file>` runs one on a
// captured output, so anyone can check what the agent would make of a machine's raw data. Every parser throws
// an Error saying what is wrong when its input is not the format it reads: none returns a guess.
// The ids named by the agent issue (windows.securitycenter ... macos.fdesetup) are the canonical names of those
// formats; every other id reads a further format the probes use. One name per parser.
import { parseClamavDbHeader } from './probes/av/clamav-db.js';
import { parseClamavLog } from './probes/av/clamav-log.js';
import { parseCytoolInfo, parseCytoolRuntime } from './probes/av/cytool.js';
import { parseFalconctl } from './probes/av/falconctl.js';
import { parseMdatpHealth } from './probes/av/mdatp.js';
import { parseSentinelctl } from './probes/av/sentinelctl.js';
import { parseWazuhAgentState } from './probes/av/wazuh-state.js';
import { decodeProductState } from './probes/av/wsc-product-state.js';
import { parseCryptsetupStatus } from './probes/hardening/cryptsetup-status.js';
import { parseLocalAdmins } from './probes/hardening/group-admins.js';
import { parseLoginDefs } from './probes/hardening/login-defs.js';
import { parseLsblk } from './probes/hardening/lsblk.js';
import { parseModprobeConf } from './probes/hardening/modprobe.js';
import { parsePamPassword, parsePwqualityConf } from './probes/hardening/pam-password.js';
import { parseSshdConfig } from './probes/hardening/sshd-config.js';
import { parseTimedatectlShow } from './probes/hardening/timedatectl.js';
import { parseOsRelease } from './probes/inventory/os-release.js';
import { parseIptablesSave } from './probes/network/iptables.js';
import { parseNetstatRn } from './probes/network/netstat-rn.js';
import { parseNftRuleset } from './probes/network/nft.js';
import { isListening, parseProcNetAny } from './probes/network/proc-net.js';
import { parseSs } from './probes/network/ss.js';
import { parseSystemctlShow, parseSystemctlStatus } from './probes/network/systemctl.js';
import { parseUfwStatus } from './probes/network/ufw.js';
import { parseAptUpgradable } from './probes/patches/apt.js';
import { parseDnfCheckUpdate } from './probes/patches/dnf-check-update.js';
import { parseDnfUpdateinfoList } from './probes/patches/dnf-updateinfo.js';
import { unattendedUpgradesEnabled } from './probes/patches/apt-config.js';
import { lastDpkgInstall } from './probes/patches/dpkg-log.js';
import { parseNetFirewallProfile } from './probes/windows/firewall-profile.js';
import { parseSecurityCenter2 } from './probes/windows/security-center.js';
import { parseCollectJson } from './probes/windows/collect-json.js';
import { parseMpComputerStatus } from './probes/windows/mp-computer-status.js';
import { parseSocketfilterfw } from './probes/darwin/socketfilterfw.js';
import { parseFdesetupStatus } from './probes/darwin/fdesetup.js';
import { parseSoftwareupdateList } from './probes/darwin/softwareupdate.js';
import { parseLaunchctlList } from './probes/darwin/launchctl.js';
import { parseLsofListen } from './probes/darwin/lsof.js';

export interface Parser {
  description: string;
  parse(text: string): unknown;
  /** read only this many bytes of the input (a .cvd is large; its header is the first 512 bytes) */
  maxBytes?: number;
}

/** The parser ids the agent issue requires, each on the real output of the command in its description. */
export const REQUIRED_PARSER_IDS = [
  'windows.securitycenter',
  'windows.defender',
  'windows.firewall',
  'linux.mdatp',
  'linux.apt-upgradable',
  'linux.dnf-security',
  'linux.proc-net',
  'linux.ufw',
  'linux.cryptsetup',
  'linux.clamav-log',
  'linux.clamav-db',
  'macos.softwareupdate',
  'macos.socketfilterfw',
  'macos.fdesetup',
] as const;

export const parsers: Record<string, Parser> = {
  // --- the ids -------------------------------------------------------------------------------------
  'windows.securitycenter': {
    description: 'Get-CimInstance -Namespace root/SecurityCenter2 -ClassName AntiVirusProduct | ConvertTo-Json: products, productState decoded',
    parse: parseSecurityCenter2,
  },
  'windows.defender': { description: 'Get-MpComputerStatus | ConvertTo-Json (Microsoft Defender): real-time, passive mode, signature age', parse: parseMpComputerStatus },
  'windows.firewall': { description: 'Get-NetFirewallProfile | ConvertTo-Json: each profile on/off and its default inbound action', parse: parseNetFirewallProfile },
  'linux.mdatp': { description: 'mdatp health --output json (Defender for Endpoint on Linux; macOS prints the same schema)', parse: parseMdatpHealth },
  'linux.apt-upgradable': { description: 'apt list --upgradable: pending updates, security (-security suites) counted apart', parse: parseAptUpgradable },
  'linux.dnf-security': {
    description: 'dnf updateinfo list --security (dnf 4 "Important/Sec." lines or the dnf 5 table): advisories, severity, NEVRA, pending security updates',
    parse: parseDnfUpdateinfoList,
  },
  'linux.proc-net': {
    description: '/proc/net/tcp, tcp6, udp or udp6 (or several concatenated): sockets with decoded addresses, listening marked',
    parse: (t) => parseProcNetAny(t).map((s) => ({ ...s, listening: isListening(s) })),
  },
  'linux.ufw': { description: 'ufw status verbose: active, default inbound policy, rules', parse: parseUfwStatus },
  'linux.cryptsetup': { description: 'cryptsetup status <name>: dm-crypt mapping active, LUKS type, cipher, device', parse: parseCryptsetupStatus },
  'linux.clamav-log': { description: 'clamd log (/var/log/clamav/clamav.log) or clamscan output: "<path>: <signature> FOUND" detections', parse: parseClamavLog },
  'linux.clamav-db': { description: 'ClamAV daily.cvd/.cld header (first 512 bytes): version, signature count, build time', parse: parseClamavDbHeader, maxBytes: 512 },
  'macos.softwareupdate': { description: 'softwareupdate --list [--no-scan]: pending updates, security and restart counted', parse: parseSoftwareupdateList },
  'macos.socketfilterfw': { description: 'socketfilterfw --getglobalstate [--getblockall --getstealthmode]: application firewall state', parse: parseSocketfilterfw },
  'macos.fdesetup': { description: 'fdesetup status: FileVault on/off, encryption in progress', parse: parseFdesetupStatus },

  // --- further formats the probes read ---------------------------------------------------------------------
  'linux.dnf-check-update': { description: 'dnf check-update: pending updates (name.arch, version, repo)', parse: parseDnfCheckUpdate },
  'linux.ss': { description: 'ss -tulnH / ss -tulnpH: listening sockets and their processes', parse: parseSs },
  'linux.apt-config': { description: 'apt-config dump: are unattended upgrades on', parse: (t) => ({ unattendedUpgrades: unattendedUpgradesEnabled(t) }) },
  'linux.dpkg-log': {
    description: '/var/log/dpkg.log: time of the last install/upgrade (log time read as UTC)',
    parse: (t) => {
      const at = lastDpkgInstall(t);
      if (!at) throw new Error('no "YYYY-MM-DD HH:MM:SS install|upgrade" line: not a dpkg.log, or no install recorded');
      return { lastInstallAt: at };
    },
  },
  'linux.sentinelctl': { description: 'SentinelOne sentinelctl version / control status / management status', parse: parseSentinelctl },
  'linux.falconctl': { description: 'CrowdStrike falconctl -g --aid --rfm-state --version', parse: parseFalconctl },
  'linux.wazuh-agentd-state': { description: '/var/ossec/var/run/wazuh-agentd.state', parse: parseWazuhAgentState },
  'linux.nft-ruleset': { description: 'nft -j list ruleset: is inbound filtered', parse: parseNftRuleset },
  'linux.iptables-save': { description: 'iptables-save: INPUT policy and rules', parse: parseIptablesSave },
  'linux.systemctl-status': { description: 'systemctl status <unit>: active/enabled state', parse: parseSystemctlStatus },
  'linux.systemctl-show': { description: 'systemctl show -p Id,ActiveState,SubState,UnitFileState <units>', parse: parseSystemctlShow },
  'linux.lsblk': { description: 'lsblk -J -o NAME,TYPE,FSTYPE,MOUNTPOINT: which mounts are encrypted', parse: parseLsblk },
  'linux.timedatectl': { description: 'timedatectl show: NTP enabled and synchronized', parse: parseTimedatectlShow },
  'linux.login-defs': { description: '/etc/login.defs: password ageing and length', parse: parseLoginDefs },
  'linux.pam-password': { description: '/etc/pam.d/common-password or system-auth: quality, history', parse: parsePamPassword },
  'linux.pwquality-conf': { description: '/etc/security/pwquality.conf options', parse: parsePwqualityConf },
  'linux.sshd-config': { description: 'sshd_config or sshd -T: PermitRootLogin and friends', parse: parseSshdConfig },
  'linux.modprobe-usb-storage': { description: 'modprobe.d config: is usb-storage blocked', parse: (t) => parseModprobeConf(t, 'usb-storage') },
  'linux.group-admins': { description: '/etc/group: members of sudo, wheel, admin', parse: (t) => parseLocalAdmins(t) },
  'linux.os-release': { description: '/etc/os-release', parse: parseOsRelease },
  'generic.netstat-rn': { description: 'netstat -rn (AIX, HP-UX, BSD, macOS): default gateways', parse: parseNetstatRn },
  'macos.cytool-info': { description: 'Cortex XDR cytool info / info query: version, content version', parse: parseCytoolInfo },
  'macos.cytool-runtime': { description: 'Cortex XDR cytool runtime query: agent processes', parse: parseCytoolRuntime },
  'macos.lsof-listen': { description: 'lsof -nP -iTCP -sTCP:LISTEN -iUDP -F pcPtn: listening sockets', parse: parseLsofListen },
  'macos.launchctl-list': { description: 'launchctl list: jobs with PID and last exit status', parse: parseLaunchctlList },
  'windows.product-state': {
    description: 'one WSC productState number, decoded',
    parse: (t) => {
      const s = t.trim();
      if (!/^\d{1,10}$/.test(s)) throw new Error('expected one decimal productState number');
      return decodeProductState(Number(s));
    },
  },
  'windows.collect': { description: 'agent/windows/collect.ps1 output: the whole Windows posture document', parse: parseCollectJson },
};
