'use strict';
// BullMQ's state across a crash of the server: tests/server/
// test_apps_bullmq.py runs `node restart_test.js fill`, kills shale-server
// with SIGKILL, starts it again on the same data directory, then runs
// `node restart_test.js drain` against it.
//
// fill: waiting jobs, a delayed job, a job scheduler, a flow (a parent
// waiting for two children), and two jobs taken by a worker that never
// finishes them (active, their locks expiring 500 ms later).
// drain: a worker with a short stalled-check interval (and locks of its own
// long enough never to expire here) finishes all of it:
// the two stalled jobs are moved back and run, the delayed one runs no
// earlier than due, the scheduler still exists and repeats, the parent runs
// after its children. Every wait has a deadline; exit status 0 when all
// held. Prints one line per phase.

const {Queue, Worker, QueueEvents, FlowProducer, Job} = require('bullmq');
const IORedis = require('ioredis');

const {connection, ioredisOptions, within, deferred, assert, eq} =
    require('./util');

const NAME = 'restart';
const WAITING = 6;
const LOCK_MS = 500;

async function fill() {
  const redis = new IORedis(ioredisOptions);
  await redis.flushall();
  await redis.quit();
  const queue = new Queue(NAME, {connection: connection()});
  const flow = new FlowProducer({connection: connection()});
  const worker =
      new Worker(NAME, null, {connection: connection(), lockDuration: LOCK_MS});
  try {
    // The two taken by hand come first, so getNextJob returns them.
    const taken = await queue.addBulk(
        [0, 1].map((i) => ({name: 'stalls', data: {i}, opts: {attempts: 3}})));
    for (const job of taken) {
      const got = await worker.getNextJob('token-' + job.id);
      eq(got.id, job.id, 'getNextJob');
    }
    await queue.addBulk(
        Array.from({length: WAITING}, (_, i) => ({name: 'waits', data: {i}})));
    const due = Date.now() + 1000;
    await queue.add('delayed', {due}, {delay: 1000});
    await queue.upsertJobScheduler('tick', {every: 200}, {name: 'tick'});
    await flow.add({
      name: 'parent',
      queueName: NAME,
      children: [1, 2].map((x) => ({name: 'child', queueName: NAME, data: {x}}))
    });
    eq(await queue.getJobCounts('active', 'waiting-children'),
       {active: 2, 'waiting-children': 1}, 'counts after fill');
  } finally {
    // close(true): do not wait for the two jobs, nobody finishes them.
    await worker.close(true);
    await flow.close();
    await queue.close();
  }
  console.log('fill ok');
}

async function drain() {
  const queue = new Queue(NAME, {connection: connection()});
  const events = new QueueEvents(NAME, {connection: connection()});
  const ran = new Map(), ticks = deferred(), stalled = [];
  let tickCount = 0, late = null;
  const expected = 2 + WAITING + 1 + 2 + 1;  // stalls, waits, delayed, flow
  const all = deferred();
  let done = 0;
  await within(events.waitUntilReady(), 10000, 'QueueEvents');
  events.on('stalled', ({jobId}) => stalled.push(jobId));
  const worker = new Worker(NAME, async (job) => {
    if (job.name === 'tick') {
      if (++tickCount === 2) ticks.resolve();
      return 'tick';
    }
    ran.set(job.id, (ran.get(job.id) || 0) + 1);
    if (job.name === 'delayed') late = Date.now() - job.data.due;
    if (job.name === 'child') return job.data.x;
    if (job.name === 'parent') {
      const values = Object.values(await job.getChildrenValues());
      return values.reduce((a, b) => a + b, 0);
    }
    return job.name;
  }, {connection: connection(), stalledInterval: 200, lockDuration: 10000});
  worker.on('completed', (job) => {
    if (job.name !== 'tick' && ++done === expected) all.resolve();
  });
  try {
    const schedulers = await queue.getJobSchedulers();
    eq(schedulers.map((s) => [s.key, s.every]), [['tick', 200]],
       'scheduler after restart');
    await within(all.promise, 20000, expected + ' jobs after the restart');
    await within(ticks.promise, 10000, '2 scheduler runs after the restart');
    assert(
        late !== null && late >= 0,
        'the delayed job ran ' + -late + ' ms before it was due');
    eq(stalled.sort(), ['1', '2'], 'stalled events');
    // No more ticks; close() waits for the one that may be running.
    eq(await queue.removeJobScheduler('tick'), true, 'removeJobScheduler');
    await worker.close();
    const counts = await queue.getJobCounts(
        'active', 'waiting', 'delayed', 'waiting-children', 'failed');
    eq(counts,
       {active: 0, waiting: 0, delayed: 0, 'waiting-children': 0, failed: 0},
       'counts after drain');
    eq([...ran.values()].filter((n) => n !== 1), [], 'jobs run more than once');
    for (const id of ['1', '2']) {
      const job = await Job.fromId(queue, id);
      eq([await job.getState(), job.attemptsStarted], ['completed', 2],
         'stalled job ' + id);
    }
  } finally {
    await worker.close();
    await events.close();
    await queue.close();
  }
  console.log('drain ok');
}

const phase = process.argv[2];
const run = phase === 'fill' ? fill : phase === 'drain' ? drain : null;
if (!run) {
  console.error('usage: node restart_test.js fill|drain');
  process.exit(2);
}
run().then(() => process.exit(0), (e) => {
  console.log('FAIL ' + phase + ': ' + (e && e.stack || e));
  process.exit(1);
});
