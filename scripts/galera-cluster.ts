/*
 * A throwaway 3-node MariaDB Galera cluster on this machine, for the cluster test suite
 * (jest.cluster.config.js). Everything (datadirs, configs, sockets, logs) lives in one fresh
 * temp folder, every node reads only its own --defaults-file (never /etc/mysql) and listens on
 * 127.0.0.1 only, so the standalone server on 3306 is never touched.
 *
 * Ports per node i (0-based): SQL basePort+i; group communication, IST and SST
 * galeraBasePort/istBasePort/sstBasePort + 10*i (14567/14568/14569, 14577/…, 14587/… by default).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';

export interface GaleraNode {
  index: number;
  port: number;
  /** mysql://root@127.0.0.1:<port>/<db> */
  url(db: string): string;
}

export interface GaleraCluster {
  nodes: GaleraNode[];
  /** The temp folder holding every node's datadir, config, socket and logs. */
  dir: string;
  /** Runs SQL on node i (0-based) as root and returns the rows. One connection per node is kept,
   * so session settings (e.g. wsrep_sync_wait) last until the node is killed or restarted. */
  query(i: number, sql: string, params?: unknown[]): Promise<Array<Record<string, unknown>>>;
  /** SIGKILLs node i's mariadbd (simulates a crash). */
  kill(i: number): Promise<void>;
  /** Starts node i again (it rejoins the running cluster by IST or rsync SST) and waits until
   * it is Synced and the cluster size is back. */
  restart(i: number): Promise<{ rejoinMs: number }>;
  /** Waits until every running node is Synced and sees a cluster of all running nodes. */
  waitSynced(timeoutMs?: number): Promise<void>;
  /** Stops every node (SIGTERM, then SIGKILL after a timeout) and removes `dir`. Idempotent. */
  stop(): Promise<void>;
}

const MARIADBD = '/usr/sbin/mariadbd';
const INSTALL_DB = '/usr/bin/mariadb-install-db';
const PROVIDER = '/usr/lib/galera/libgalera_smm.so';
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;
// mariadbd runs the SST script (wsrep_sst_rsync, in /usr/bin), which needs rsync, ss/lsof etc.
const CHILD_ENV = { ...process.env, PATH: `/usr/sbin:/usr/bin:/sbin:/bin:${process.env.PATH ?? ''}` };
// Who the servers run as. Not root, even when the tests are: rsync SST starts an rsync daemon
// on the joiner, and a root rsync daemon switches to `nobody`, which then cannot write into the
// datadir ("cannot stat destination: Permission denied"). As `mysql` (what Debian's own server
// uses) the daemon keeps that user and owns the files it writes.
const RUN_AS = process.getuid?.() === 0 ? systemUser('mysql') : undefined;

// Under jest, `process` is a per-test-file copy whose 'exit' event never fires; a Function built
// by a core module's realm evaluates in Node's own global scope and returns the real process.
const realProcess: NodeJS.Process = fs.readFileSync.constructor('return process')();
// Every mariadbd still running and every folder not yet removed, whichever cluster owns it: a
// crashed or aborted test must not leave servers (or their temp folders) behind. Kept on the real
// process, so that jest, which loads this module afresh for each test file, registers the
// handlers once.
const KEY = Symbol.for('custodian.test.galera');
type Registry = { children: Set<ChildProcess>; dirs: Set<string> };
const registry: Registry = ((realProcess as unknown as Record<symbol, Registry | undefined>)[KEY] ??= registerCleanup());
const liveChildren = registry.children;
const liveDirs = registry.dirs;

function registerCleanup() {
  const reg = { children: new Set<ChildProcess>(), dirs: new Set<string>() };
  const cleanupNow = () => {
    for (const child of reg.children) child.kill('SIGKILL');
    for (const dir of reg.dirs) fs.rmSync(dir, { recursive: true, force: true });
    reg.dirs.clear();
  };
  realProcess.on('exit', cleanupNow);
  // A signal kills us without an 'exit' event (e.g. Ctrl-C on a jest that hangs because a test
  // never called stop()): clean up, then let the signal do what it would have done.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    realProcess.once(signal, () => {
      cleanupNow();
      if (realProcess.listenerCount(signal) === 0) realProcess.kill(realProcess.pid, signal);
    });
  }
  return reg;
}

interface NodeState extends GaleraNode {
  home: string;
  cnf: string;
  errorLog: string;
  consoleLog: string;
  child?: ChildProcess;
  exited?: Promise<void>;
  conn?: Promise<Connection>;
}

export async function startGalera(
  opts: { nodes?: number; basePort?: number; galeraBasePort?: number; sstBasePort?: number; istBasePort?: number } = {},
): Promise<GaleraCluster> {
  const count = opts.nodes ?? 3;
  const basePort = opts.basePort ?? 3307;
  const gBase = opts.galeraBasePort ?? 14567;
  const istBase = opts.istBasePort ?? gBase + 1;
  const sstBase = opts.sstBasePort ?? gBase + 2;
  const gPort = (i: number) => gBase + 10 * i;

  const ports = Array.from({ length: count }, (_, i) => [basePort + i, gPort(i), istBase + 10 * i, sstBase + 10 * i]).flat();
  if (new Set(ports).size !== ports.length) throw new Error(`Galera harness: ports overlap: ${ports.join(', ')}`);
  for (const port of ports) await assertPortFree(port);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-galera-'));
  liveDirs.add(dir);
  // mkdtemp makes it 0700: the servers' user must be able to reach its node folder.
  if (RUN_AS) fs.chmodSync(dir, 0o711);
  const clusterAddress = 'gcomm://' + Array.from({ length: count }, (_, i) => `127.0.0.1:${gPort(i)}`).join(',');
  const nodes: NodeState[] = Array.from({ length: count }, (_, i) => {
    const home = path.join(dir, `node${i + 1}`);
    const port = basePort + i;
    return {
      index: i,
      port,
      url: (db: string) => `mysql://root@127.0.0.1:${port}/${db}`,
      home,
      cnf: path.join(home, 'my.cnf'),
      errorLog: path.join(home, 'error.log'),
      consoleLog: path.join(home, 'console.log'),
    };
  });

  let stopped = false;
  const running = () => nodes.filter((n) => n.child);

  async function closeConn(n: NodeState) {
    const conn = n.conn;
    n.conn = undefined;
    if (conn) await conn.then((c) => c.destroy(), () => undefined);
  }

  /** Spawns node i's mariadbd; the caller waits for it to be Synced. */
  function spawnNode(n: NodeState, extraArgs: string[]) {
    const out = fs.openSync(n.consoleLog, 'a');
    // --defaults-file must come first (so no other option file is read).
    const args = [`--defaults-file=${n.cnf}`, ...userArg(), ...extraArgs];
    const child = spawn(MARIADBD, args, { detached: false, stdio: ['ignore', out, out], env: CHILD_ENV });
    fs.closeSync(out);
    liveChildren.add(child);
    n.child = child;
    n.exited = new Promise((resolve) =>
      child.once('exit', () => {
        liveChildren.delete(child);
        if (n.child === child) n.child = undefined;
        resolve();
      }),
    );
  }

  /** Polls until node n is Synced in a cluster of all running nodes. */
  async function waitNode(n: NodeState, timeoutMs: number) {
    const deadline = Date.now() + timeoutMs;
    let last = 'not reachable yet';
    for (;;) {
      if (!n.child) throw new Error(`Galera node${n.index + 1} exited (${last})\n${logTail(n)}`);
      const status = await wsrepStatus(n.port).catch((e: Error) => ({ error: e.message }) as const);
      if ('error' in status) last = status.error;
      else {
        last = `${status.state}, cluster size ${status.size}`;
        if (status.state === 'Synced' && status.size === running().length) return;
      }
      if (Date.now() > deadline) throw new Error(`Galera node${n.index + 1} not Synced after ${timeoutMs} ms (${last})\n${logTail(n)}`);
      await sleep(300);
    }
  }

  async function startNode(n: NodeState, extraArgs: string[]) {
    spawnNode(n, extraArgs);
    await waitNode(n, START_TIMEOUT_MS);
  }

  async function stop() {
    if (stopped) return;
    stopped = true;
    await Promise.all(nodes.map(closeConn));
    // One at a time, last first: a node that leaves a healthy group is let go at once, while
    // nodes leaving all together wait out each other's suspect timeouts (about 5 s more).
    for (const n of running().reverse()) {
      const { child, exited } = n;
      child!.kill('SIGTERM');
      const timer = setTimeout(() => child!.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }
    // GALERA_KEEP=1 keeps the folder (logs, datadirs) to find out why a run failed.
    if (!process.env.GALERA_KEEP) fs.rmSync(dir, { recursive: true, force: true });
    liveDirs.delete(dir);
  }

  const cluster: GaleraCluster = {
    nodes: nodes.map(({ index, port, url }) => ({ index, port, url })),
    dir,

    async query(i, sql, params) {
      const n = nodeAt(nodes, i);
      const conn = (n.conn ??= mysql.createConnection({ host: '127.0.0.1', port: n.port, user: 'root', password: '' }));
      try {
        const [rows] = await (await conn).query(sql, params);
        // A statement without a result set (CREATE, INSERT) answers an empty list.
        return Array.isArray(rows) ? (rows as Array<Record<string, unknown>>) : [];
      } catch (e) {
        // A lost (or never made) connection is useless: the next query opens a new one.
        const broken = (e as { fatal?: boolean }).fatal || !(await conn.then(() => true, () => false));
        if (broken && n.conn === conn) await closeConn(n);
        throw e;
      }
    },

    async kill(i) {
      const n = nodeAt(nodes, i);
      await closeConn(n);
      if (!n.child) return;
      n.child.kill('SIGKILL');
      await n.exited;
    },

    async restart(i) {
      const n = nodeAt(nodes, i);
      if (n.child) throw new Error(`Galera node${i + 1} is still running: kill it first`);
      await closeConn(n);
      const t0 = Date.now();
      const pos = await recoverPosition(n);
      // Never --wsrep-new-cluster here: the others are running and hand over their state.
      await startNode(n, pos ? [`--wsrep-start-position=${pos}`] : []);
      await cluster.waitSynced(START_TIMEOUT_MS);
      return { rejoinMs: Date.now() - t0 };
    },

    async waitSynced(timeoutMs = START_TIMEOUT_MS) {
      const deadline = Date.now() + timeoutMs;
      for (const n of running()) await waitNode(n, Math.max(1, deadline - Date.now()));
    },

    stop,
  };

  try {
    await Promise.all(
      nodes.map((n) => {
        fs.mkdirSync(n.home);
        if (RUN_AS) fs.chownSync(n.home, RUN_AS.uid, RUN_AS.gid);
        fs.writeFileSync(n.cnf, nodeConfig(n, { clusterAddress, gPort: gPort(n.index), ist: istBase + 10 * n.index, sst: sstBase + 10 * n.index }));
        return installDb(n);
      }),
    );
    // Node 1 founds the cluster; the others join one at a time (each by rsync SST from a
    // Synced donor), which is slower than in parallel but far more robust on 2 cores.
    for (const n of nodes) await startNode(n, n.index === 0 ? ['--wsrep-new-cluster'] : []);
    return cluster;
  } catch (e) {
    await stop();
    throw e;
  }
}

function nodeConfig(n: NodeState, c: { clusterAddress: string; gPort: number; ist: number; sst: number }): string {
  return `[mysqld]
datadir=${path.join(n.home, 'data')}
socket=${path.join(n.home, 'mysqld.sock')}
pid-file=${path.join(n.home, 'mysqld.pid')}
log-error=${n.errorLog}
tmpdir=${n.home}
port=${n.port}
bind-address=127.0.0.1
skip-name-resolve
binlog_format=ROW
default_storage_engine=InnoDB
innodb_autoinc_lock_mode=2
innodb_flush_log_at_trx_commit=2
# Small memory and redo log: three servers share this machine, and SST copies the redo log.
innodb_buffer_pool_size=64M
innodb_log_file_size=16M
performance_schema=OFF

wsrep_on=ON
wsrep_provider=${PROVIDER}
wsrep_cluster_name=custodian_test
wsrep_cluster_address=${c.clusterAddress}
wsrep_node_name=node${n.index + 1}
wsrep_node_address=127.0.0.1:${c.gPort}
# gmcast.listen_addr keeps group communication on 127.0.0.1 (it binds 0.0.0.0 otherwise).
wsrep_provider_options="base_port=${c.gPort};gmcast.listen_addr=tcp://127.0.0.1:${c.gPort};ist.recv_addr=127.0.0.1:${c.ist};gcache.size=64M"
wsrep_sst_method=rsync
wsrep_sst_receive_address=127.0.0.1:${c.sst}
`;
}

/** An empty datadir whose root@127.0.0.1 logs in over TCP with no password. */
async function installDb(n: NodeState) {
  const args = ['--no-defaults', `--datadir=${path.join(n.home, 'data')}`, ...userArg(), '--auth-root-authentication-method=normal', '--skip-test-db'];
  const log = path.join(n.home, 'install-db.log');
  // Its own TMPDIR: bootstraps running side by side in /tmp delete each other's temporary tables.
  const code = await runToEnd(INSTALL_DB, args, log, { TMPDIR: n.home });
  if (code !== 0) throw new Error(`mariadb-install-db failed for node${n.index + 1} (exit ${code}):\n${tail(log)}`);
}

/**
 * The last committed position (uuid:seqno) in node n's InnoDB, or undefined. After a crash
 * grastate.dat says seqno -1 and the node would then need a full SST (donor blocked by a global
 * read lock while rsync copies everything). Like Debian's galera_recovery (run by systemd before
 * mariadbd), ask InnoDB first, so the node rejoins by IST from a donor's gcache instead.
 */
async function recoverPosition(n: NodeState): Promise<string | undefined> {
  const log = path.join(n.home, 'recover.log');
  fs.rmSync(log, { force: true });
  await runToEnd(MARIADBD, [`--defaults-file=${n.cnf}`, ...userArg(), '--wsrep-recover', `--log-error=${log}`], n.consoleLog);
  const pos = /WSREP: Recovered position: (\S+:\d+)/.exec(tail(log, 1000))?.[1];
  return pos;
}

/** Runs a command to its end, output appended to `log`; killed with us if we exit first. */
async function runToEnd(cmd: string, args: string[], log: string, env: Record<string, string> = {}): Promise<number | null> {
  const out = fs.openSync(log, 'a');
  const child = spawn(cmd, args, { stdio: ['ignore', out, out], env: { ...CHILD_ENV, ...env } });
  fs.closeSync(out);
  liveChildren.add(child);
  try {
    return await new Promise<number | null>((resolve, reject) => child.once('error', reject).once('exit', resolve));
  } finally {
    liveChildren.delete(child);
  }
}

function userArg(): string[] {
  return RUN_AS ? [`--user=${RUN_AS.name}`] : [];
}

function systemUser(name: string): { name: string; uid: number; gid: number } {
  const line = fs.readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${name}:`));
  if (!line) throw new Error(`Galera harness: running as root needs a '${name}' system user for the servers (rsync SST cannot run as root)`);
  const [, , uid, gid] = line.split(':');
  return { name, uid: Number(uid), gid: Number(gid) };
}

async function wsrepStatus(port: number): Promise<{ state: string; size: number }> {
  const c = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root', password: '', connectTimeout: 2000 });
  try {
    const [rows] = await c.query<Array<RowDataPacket & { Variable_name: string; Value: string }>>(
      "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_local_state_comment', 'wsrep_cluster_size')",
    );
    const get = (name: string) => rows.find((r) => r.Variable_name === name)?.Value;
    return { state: String(get('wsrep_local_state_comment')), size: Number(get('wsrep_cluster_size')) };
  } finally {
    await c.end();
  }
}

function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(new Error(`Galera harness: port ${port} on 127.0.0.1 is not free (${e.code}): is another cluster or server using it?`)),
    );
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });
}

function nodeAt(nodes: NodeState[], i: number): NodeState {
  const n = nodes[i];
  if (!n) throw new Error(`Galera harness: no node ${i} (nodes are 0..${nodes.length - 1})`);
  return n;
}

function logTail(n: NodeState): string {
  return `--- last 40 lines of ${n.errorLog} ---\n${tail(n.errorLog)}\n--- ${n.consoleLog} ---\n${tail(n.consoleLog, 10)}`;
}

function tail(file: string, lines = 40): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
