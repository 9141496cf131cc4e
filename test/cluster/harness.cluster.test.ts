// Smoke test of the Galera harness (test/cluster/galera.ts): writes made on any node are seen on
// every node, and a crashed node catches up on what it missed when it rejoins.
// Run: npx jest -c jest.cluster.config.js
import fs from 'node:fs';
import { startGalera, type GaleraCluster } from '../../scripts/galera-cluster';

jest.setTimeout(300_000);

let cluster: GaleraCluster | undefined;

afterAll(async () => {
  await cluster?.stop();
});

test('replicates across the three nodes and a killed node catches up on rejoin', async () => {
  let t0 = Date.now();
  cluster = await startGalera();
  const c = cluster;
  console.log(`galera: 3 nodes Synced in ${Date.now() - t0} ms (${c.dir})`);

  await c.query(0, 'CREATE DATABASE smoke');
  await c.query(1, 'CREATE TABLE smoke.t (id INT PRIMARY KEY, note VARCHAR(50) NOT NULL)');
  await c.query(2, 'INSERT INTO smoke.t VALUES (?, ?)', [1, 'from node 3']);
  for (const i of [0, 1, 2]) {
    // Causal read: wait until this node has applied everything committed before the SELECT.
    await c.query(i, 'SET SESSION wsrep_sync_wait = 1');
    expect(await c.query(i, 'SELECT id, note FROM smoke.t ORDER BY id')).toEqual([{ id: 1, note: 'from node 3' }]);
  }

  await c.kill(2);
  await c.query(0, 'INSERT INTO smoke.t VALUES (?, ?)', [2, 'while node 3 was down']);
  t0 = Date.now();
  const { rejoinMs } = await c.restart(2);
  console.log(`galera: node 3 rejoined in ${rejoinMs} ms (restart call ${Date.now() - t0} ms)`);

  await c.query(2, 'SET SESSION wsrep_sync_wait = 1');
  expect(await c.query(2, 'SELECT id, note FROM smoke.t ORDER BY id')).toEqual([
    { id: 1, note: 'from node 3' },
    { id: 2, note: 'while node 3 was down' },
  ]);
  const [size] = await c.query(2, "SHOW GLOBAL STATUS LIKE 'wsrep_cluster_size'");
  expect(size.Value).toBe('3');

  const dir = c.dir;
  t0 = Date.now();
  await c.stop();
  console.log(`galera: stopped in ${Date.now() - t0} ms`);
  await c.stop(); // idempotent
  expect(fs.existsSync(dir)).toBe(Boolean(process.env.GALERA_KEEP));
});
