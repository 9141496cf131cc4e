import { DataSource } from 'typeorm';
import { isMysql } from './data-source';

/** A pooled mysql2 connection, as TypeORM's MySQL driver hands it out (callback API). */
interface PoolConnection {
  query(sql: string, cb: (err: Error | null) => void): void;
}

/** True when the database is a node of a Galera cluster (MariaDB's multi-primary replication). */
export async function isGaleraNode(ds: DataSource): Promise<boolean> {
  if (!isMysql(ds)) return false;
  try {
    const [row] = (await ds.query('SELECT @@wsrep_on AS w')) as Array<{ w: number | string }>;
    return Number(row?.w) === 1;
  } catch {
    // MySQL proper has no wsrep variables: not a Galera node.
    return false;
  }
}

/**
 * Issue 16: on a Galera node every connection reads with `wsrep_sync_wait = 1`: before a read, the
 * node applies every write the cluster committed before it. Without it a node may answer from a
 * moment ago: a token logged out (or a role revoked) through another node would still be accepted
 * here, and a caller sent to another instance right after a change would not see it. Set once per
 * pooled connection, when the driver first hands it out.
 */
export function readCausally(ds: DataSource): void {
  const driver = ds.driver as unknown as { obtainMasterConnection(): Promise<PoolConnection> };
  const obtain = driver.obtainMasterConnection.bind(driver);
  const prepared = new WeakSet<object>();
  driver.obtainMasterConnection = async () => {
    const conn = await obtain();
    if (!prepared.has(conn)) {
      await new Promise<void>((resolve, reject) => conn.query('SET SESSION wsrep_sync_wait = 1', (err) => (err ? reject(err) : resolve())));
      prepared.add(conn);
    }
    return conn;
  };
}
