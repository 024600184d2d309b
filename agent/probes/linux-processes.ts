// One pass over /proc/<pid>: the process names (for AV/EDR detection) and the socket inodes each process
// holds (to name the owner of a listening socket). Reading another user's fd directory needs root; when it is
// denied we keep the name and record that the socket map is partial rather than guess an owner.
import type { HostAccess } from './host-access.js';

export interface LinuxProcess {
  pid: number;
  comm: string;
  /** argv[0] basename, which differs from comm when comm was truncated to 15 characters. */
  exe?: string;
}

export interface ProcessSnapshot {
  processes: LinuxProcess[];
  /** socket inode -> owning processes */
  socketOwners: Map<number, LinuxProcess[]>;
  /** how many processes' fd tables could not be read (not root) */
  fdDenied: number;
}

export async function readProcessSnapshot(host: HostAccess, withSockets: boolean): Promise<ProcessSnapshot> {
  const entries = await host.readDir('/proc');
  const processes: LinuxProcess[] = [];
  const socketOwners = new Map<number, LinuxProcess[]>();
  let fdDenied = 0;
  await Promise.all(
    entries
      .filter((e) => /^\d+$/.test(e))
      .map(async (e) => {
        const pid = Number(e);
        let comm: string;
        try {
          comm = (await host.readFile(`/proc/${pid}/comm`, { maxBytes: 256 })).trim();
        } catch {
          return; // the process exited between readdir and read
        }
        const proc: LinuxProcess = { pid, comm };
        try {
          const argv0 = (await host.readFile(`/proc/${pid}/cmdline`, { maxBytes: 4096 })).split('\0')[0] ?? '';
          const base = argv0.split('/').pop();
          if (base) proc.exe = base;
        } catch {
          // kernel threads and exited processes have no cmdline; comm is enough
        }
        processes.push(proc);
        if (!withSockets) return;
        let fds: string[];
        try {
          fds = await host.readDir(`/proc/${pid}/fd`);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'EACCES' || (err as NodeJS.ErrnoException).code === 'EPERM') fdDenied++;
          return;
        }
        let denied = false;
        for (const fd of fds) {
          let target: string;
          try {
            target = await host.readLink(`/proc/${pid}/fd/${fd}`);
          } catch (err) {
            // Even root may be refused another namespace's or a protected process's fd links.
            const code = (err as NodeJS.ErrnoException).code;
            if ((code === 'EACCES' || code === 'EPERM') && !denied) {
              denied = true;
              fdDenied++;
            }
            continue;
          }
          const m = /^socket:\[(\d+)\]$/.exec(target);
          if (!m) continue;
          const inode = Number(m[1]);
          const owners = socketOwners.get(inode);
          if (owners) {
            if (!owners.includes(proc)) owners.push(proc);
          } else socketOwners.set(inode, [proc]);
        }
      }),
  );
  processes.sort((a, b) => a.pid - b.pid);
  return { processes, socketOwners, fdDenied };
}
