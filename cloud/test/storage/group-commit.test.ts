/** GroupCommit: concurrent callers share commits, each learns its own result, order holds, failures stay in their group. */
import t from 'tap';
import { setTimeout as sleep } from 'node:timers/promises';
import { GroupCommit } from '../../src/storage/group-commit.js';

/** A committer like the SQLite writer thread: one group at a time, in the order started, taking `ms` each. */
function serialCommitter(ms: number, failWhen: (items: number[]) => boolean = () => false) {
  const commits: number[][] = [];
  let tail: Promise<unknown> = Promise.resolve();
  const commit = (items: number[]): Promise<number[]> => {
    const done = tail.then(async () => {
      await sleep(ms);
      if (failWhen(items)) throw new Error(`group ${items.join(',')} failed`);
      commits.push(items);
      return items.map((item) => item * 10);
    });
    tail = done.catch(() => undefined);
    return done;
  };
  return { commit, commits };
}

t.test('one in flight: callers of one turn share a commit; later ones share the next', async (t) => {
  const c = serialCommitter(20);
  const group = new GroupCommit<number, number>(c.commit);
  const first = [1, 2, 3].map((n) => group.submit(n));
  await sleep(5); // the first commit is running
  const second = [4, 5].map((n) => group.submit(n));
  t.same(await Promise.all([...first, ...second]), [10, 20, 30, 40, 50], 'each caller gets its own result');
  t.same(c.commits, [
    [1, 2, 3],
    [4, 5],
  ]);
});

t.test('two in flight: what is queued is split so the committer always has the next group; order holds', async (t) => {
  const c = serialCommitter(20);
  const group = new GroupCommit<number, number>(c.commit, { maxInFlight: 2 });
  const items = Array.from({ length: 10 }, (_, i) => i + 1);
  const results = await Promise.all(items.map((n) => group.submit(n)));
  t.same(
    results,
    items.map((n) => n * 10),
  );
  t.same(
    c.commits,
    [
      [1, 2, 3, 4, 5],
      [6, 7, 8, 9, 10],
    ],
    'two groups, in arrival order',
  );
  await group.drain();
});

t.test('a failed group rejects its own callers only', async (t) => {
  const c = serialCommitter(10, (items) => items.includes(2));
  const group = new GroupCommit<number, number>(c.commit, { maxInFlight: 2 });
  const settled = await Promise.allSettled([1, 2, 3, 4].map((n) => group.submit(n)));
  t.same(
    settled.map((s) => s.status),
    ['rejected', 'rejected', 'fulfilled', 'fulfilled'],
  );
  t.match((settled[0] as PromiseRejectedResult).reason, /group 1,2 failed/);
  t.same(c.commits, [[3, 4]]);
});

t.test('maxGroup caps a commit', async (t) => {
  const c = serialCommitter(1);
  const group = new GroupCommit<number, number>(c.commit, { maxGroup: 3 });
  await Promise.all([1, 2, 3, 4, 5, 6, 7].map((n) => group.submit(n)));
  t.same(c.commits, [[1, 2, 3], [4, 5, 6], [7]]);
});

t.test("maxSize caps a commit by its items' sizes; an item bigger than the cap goes alone", async (t) => {
  const c = serialCommitter(1);
  const group = new GroupCommit<number, number>(c.commit, { sizeOf: (n) => n, maxSize: 10 });
  await Promise.all([4, 5, 3, 20, 2].map((n) => group.submit(n)));
  t.same(c.commits, [[4, 5], [3], [20], [2]]);
});
