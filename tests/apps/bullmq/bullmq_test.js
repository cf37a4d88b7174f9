'use strict';
// BullMQ, unchanged from the npm registry, against a Redis-protocol server
// on 127.0.0.1:$BULLMQ_PORT (shale-server, or redis-server to check this
// test itself). tests/server/test_apps_bullmq.py installs the locked
// packages and runs it; it can also run by hand:
//   BULLMQ_PORT=6380 node bullmq_test.js
//
// Each check uses its own queue and closes what it opened. Every wait is
// on an event or a promise and has a deadline that fails with the name of
// what did not happen; nothing sleeps to synchronize. Timings (the delayed
// job, pause/resume) are measured, not slept. The server is flushed first.
// Exit status 0 when every check passed; each check prints one line.

const {Queue, Worker, QueueEvents, FlowProducer, Job} = require('bullmq');
const IORedis = require('ioredis');

const {connection, ioredisOptions, within, deferred, assert, eq} =
    require('./util');
const WAIT_MS = 10000;

// Opens a queue, its QueueEvents and (given a processor) a worker, runs
// body, then closes them all whatever happened.
async function withQueue(name, processor, workerOpts, body) {
  const queue = new Queue(name, {connection: connection()});
  const events = new QueueEvents(name, {connection: connection()});
  let worker = null;
  try {
    await within(events.waitUntilReady(), WAIT_MS, name + ' QueueEvents');
    if (processor) {
      worker = new Worker(
          name, processor,
          Object.assign({connection: connection()}, workerOpts || {}));
      worker.on('error', (err) => console.error(name + ' worker:', err));
      await within(worker.waitUntilReady(), WAIT_MS, name + ' worker');
    }
    await body({queue, events, worker});
  } finally {
    if (worker) await worker.close();
    await events.close();
    await queue.close();
  }
}

const checks = [];
function check(name, fn) {
  checks.push({name, fn});
}

check('add, worker result, completed event, progress', async () => {
  await withQueue(
      'basic',
      async (job) => {
        await job.updateProgress(50);
        await job.updateProgress({step: 'done'});
        return job.data.a + job.data.b;
      },
      null,
      async ({queue, events}) => {
        const completed = deferred(), progress = [];
        events.on('completed', (e) => completed.resolve(e));
        events.on('progress', (e) => progress.push(e.data));
        const job = await queue.add('sum', {a: 1, b: 2});
        const result = await within(
            job.waitUntilFinished(events, WAIT_MS), WAIT_MS,
            'waitUntilFinished of the sum job');
        eq(result, 3, 'waitUntilFinished result');
        const ev =
            await within(completed.promise, WAIT_MS, '\'completed\' event');
        eq(ev.jobId, job.id, '\'completed\' event jobId');
        eq(ev.returnvalue, 3, '\'completed\' event returnvalue');
        const done = await Job.fromId(queue, job.id);
        eq(done.returnvalue, 3, 'job.returnvalue');
        eq(done.progress, {step: 'done'}, 'job.progress');
        assert(
            done.finishedOn >= done.processedOn, 'finishedOn >= processedOn');
        eq(await done.getState(), 'completed', 'state');
        // Progress events travel the same stream as 'completed', in order.
        eq(progress, [50, {step: 'done'}], '\'progress\' events');
        const counts = await queue.getJobCounts('completed', 'failed', 'wait');
        eq(counts, {completed: 1, failed: 0, wait: 0}, 'getJobCounts');
      });
});

check('delayed job runs no earlier than its delay', async () => {
  const started = new Map();
  await withQueue(
      'delayed',
      async (job) => {
        started.set(job.id, Date.now());
        return 'late';
      },
      null,
      async ({queue, events}) => {
        const t0 = Date.now();
        const job = await queue.add('later', {}, {delay: 300});
        eq(await job.getState(), 'delayed', 'state right after add');
        eq(await queue.getDelayedCount(), 1, 'getDelayedCount');
        eq(await within(
               job.waitUntilFinished(events, WAIT_MS), WAIT_MS,
               'the delayed job'),
           'late', 'delayed result');
        const ran = started.get(job.id) - t0;
        assert(ran >= 300, 'the delayed job ran ' + ran + ' ms after add');
        const done = await Job.fromId(queue, job.id);
        assert(
            done.processedOn - done.timestamp >= 300,
            'processedOn - timestamp = ' + (done.processedOn - done.timestamp));
      });
});

check('retried job succeeds on its 3rd attempt', async () => {
  const runs = [];
  await withQueue(
      'retry',
      async (job) => {
        runs.push(job.attemptsMade);
        if (runs.length < 3) throw new Error('try ' + runs.length);
        return 'third time';
      },
      null,
      async ({queue, events}) => {
        const job = await queue.add(
            'flaky', {}, {attempts: 3, backoff: {type: 'fixed', delay: 100}});
        eq(await within(
               job.waitUntilFinished(events, WAIT_MS), WAIT_MS,
               'the retried job'),
           'third time', 'retried result');
        eq(runs, [0, 1, 2], 'attemptsMade seen by each run');
        const done = await Job.fromId(queue, job.id);
        eq(done.attemptsMade, 3, 'attemptsMade after success');
        eq(done.attemptsStarted, 3, 'attemptsStarted');
        eq(done.stacktrace.length, 2, 'stacktraces of the two failures');
        eq(await queue.getFailedCount(), 0, 'getFailedCount');
      });
});

check(
    'job failing for good: failedReason, getFailed, failed event', async () => {
      await withQueue(
          'fail',
          async () => {
            throw new Error('boom');
          },
          null,
          async ({queue, events}) => {
            const failed = deferred(), exhausted = deferred();
            events.on('failed', (e) => failed.resolve(e));
            events.on('retries-exhausted', (e) => exhausted.resolve(e));
            const job = await queue.add('bad', {}, {attempts: 2});
            let err = null;
            try {
              await within(
                  job.waitUntilFinished(events, WAIT_MS), WAIT_MS,
                  'the failing job');
            } catch (e) {
              err = e;
            }
            assert(
                err && err.message === 'boom',
                'waitUntilFinished rejects with boom, got ' + err);
            const ev =
                await within(failed.promise, WAIT_MS, '\'failed\' event');
            eq([ev.jobId, ev.failedReason], [job.id, 'boom'],
               '\'failed\' event');
            const ex = await within(
                exhausted.promise, WAIT_MS, '\'retries-exhausted\' event');
            eq([ex.jobId, ex.attemptsMade], [job.id, '2'],
               '\'retries-exhausted\' event');
            const bad = await Job.fromId(queue, job.id);
            eq(bad.failedReason, 'boom', 'failedReason');
            eq(bad.attemptsMade, 2, 'attemptsMade');
            eq(await bad.getState(), 'failed', 'state');
            const list = await queue.getFailed();
            eq(list.map((j) => j.id), [job.id], 'getFailed ids');
          });
    });

check('job scheduler repeats every 150 ms, then is removed', async () => {
  // BullMQ 6 repeats jobs through job schedulers (upsertJobScheduler,
  // removeJobScheduler); the older repeat option and removeRepeatable are
  // gone from it.
  const runs = [], three = deferred();
  await withQueue(
      'repeat',
      async (job) => {
        // When this iteration was due: the previous run added it, delayed.
        const due = job.timestamp + (job.opts.delay || 0);
        runs.push({due, ran: Date.now()});
        if (runs.length === 3) three.resolve();
        return runs.length;
      },
      null,
      async ({queue}) => {
        await queue.upsertJobScheduler(
            'tick', {every: 150}, {name: 'tick', data: {n: 1}});
        eq((await queue.getJobSchedulers()).map((s) => [s.key, s.every]),
           [['tick', 150]], 'getJobSchedulers');
        await within(three.promise, WAIT_MS, '3 runs of the repeatable job');
        eq(await queue.removeJobScheduler('tick'), true, 'removeJobScheduler');
        eq(await queue.getJobSchedulersCount(), 0, 'getJobSchedulersCount');
        eq(await queue.getJobScheduler('tick'), undefined, 'getJobScheduler');
        // The next iteration waiting in the delayed set went with it.
        eq(await queue.getDelayedCount(), 0, 'delayed after remove');
        // Iterations fall on the 150 ms grid (one late worker skips slots,
        // BullMQ does not bunch them up), none ran before it was due.
        for (let i = 0; i < 3; i++) {
          const gap = i > 0 ? runs[i].due - runs[i - 1].due : 150;
          assert(
              gap >= 150 && gap % 150 === 0,
              'iteration ' + i + ' is due ' + gap + ' ms after the last');
          assert(
              runs[i].ran >= runs[i].due,
              'iteration ' + i + ' ran ' + (runs[i].due - runs[i].ran) +
                  ' ms early');
        }
      });
});

check('pause holds jobs, resume releases them; getJobCounts', async () => {
  const started = new Map(), all = deferred();
  await withQueue(
      'pause',
      async (job) => {
        started.set(job.id, Date.now());
        if (started.size === 3) all.resolve();
        return job.data.i;
      },
      null,
      async ({queue}) => {
        await queue.pause();
        eq(await queue.isPaused(), true, 'isPaused after pause');
        const jobs =
            await queue.addBulk([0, 1, 2].map((i) => ({name: 'p', data: {i}})));
        const counts = await queue.getJobCounts(
            'waiting', 'paused', 'active', 'completed', 'delayed');
        eq(counts.paused + counts.waiting, 3,
           'held jobs ' + JSON.stringify(counts));
        eq([counts.active, counts.completed], [0, 0],
           'nothing ran while paused');
        const resumedAt = Date.now();
        await queue.resume();
        eq(await queue.isPaused(), false, 'isPaused after resume');
        await within(all.promise, WAIT_MS, 'the 3 jobs after resume');
        for (const j of jobs) {
          assert(
              started.get(j.id) >= resumedAt,
              'job ' + j.id + ' ran before resume');
        }
        const done = deferred();
        const poll = async () => {
          const c = await queue.getJobCounts('completed');
          if (c.completed === 3)
            done.resolve();
          else
            setImmediate(poll);
        };
        poll();
        await within(done.promise, WAIT_MS, '3 completed in getJobCounts');
      });
});

check('flow: parent runs after its children, with their values', async () => {
  await withQueue(
      'flow',
      async (job) => {
        if (job.name === 'child') return job.data.x * 10;
        const values = await job.getChildrenValues();
        return Object.values(values).reduce((a, b) => a + b, 0);
      },
      null,
      async ({queue, events}) => {
        const flow = new FlowProducer({connection: connection()});
        try {
          const tree = await flow.add({
            name: 'parent',
            queueName: 'flow',
            data: {},
            children: [1, 2, 3].map(
                (x) => ({name: 'child', queueName: 'flow', data: {x}})),
          });
          eq(tree.children.length, 3, 'children added');
          const sum = await within(
              tree.job.waitUntilFinished(events, WAIT_MS), WAIT_MS,
              'the flow parent');
          eq(sum, 60, 'parent result from children values');
          const parent = await Job.fromId(queue, tree.job.id);
          const deps = await parent.getDependenciesCount();
          eq([deps.processed, deps.unprocessed], [3, 0], 'dependencies count');
        } finally {
          await flow.close();
        }
      });
});

check('concurrency 4: four jobs active at once', async () => {
  let active = 0, most = 0;
  const gate = deferred(), four = deferred();
  await withQueue(
      'concurrent',
      async (job) => {
        active++;
        most = Math.max(most, active);
        if (active === 4) four.resolve();
        await gate.promise;
        active--;
        return job.data.i;
      },
      {concurrency: 4},
      async ({queue, events}) => {
        const jobs = await queue.addBulk(
            [0, 1, 2, 3, 4, 5].map((i) => ({name: 'c', data: {i}})));
        await within(four.promise, WAIT_MS, '4 jobs active together');
        eq((await queue.getJobCounts('active')).active, 4, 'active count');
        gate.resolve();
        const results = await within(
            Promise.all(jobs.map((j) => j.waitUntilFinished(events, WAIT_MS))),
            WAIT_MS, 'the 6 concurrent jobs');
        eq(results, [0, 1, 2, 3, 4, 5], 'concurrent results');
        eq(most, 4, 'most jobs active at once');
      });
});

check('priorities, job logs, metrics, getWorkers, clean', async () => {
  const order = [];
  await withQueue('priority', null, null, async ({queue, events}) => {
    // Added before any worker runs, so the worker takes them by priority
    // (lower first), FIFO within one priority.
    const jobs = [];
    for (const p of [3, 1, 2, 1, 3]) {
      jobs.push(await queue.add('p' + p, {p}, {priority: p}));
    }
    eq(await queue.getPrioritizedCount(), 5, 'getPrioritizedCount');
    eq(await queue.getCountsPerPriority([1, 2, 3]), {1: 2, 2: 1, 3: 2},
       'getCountsPerPriority');
    const worker = new Worker('priority', async (job) => {
      order.push(job.id);
      await job.log('ran ' + job.name);
      return job.data.p;
    }, {
      connection: connection(),
      name: 'prio-worker',
      metrics: {maxDataPoints: 10}
    });
    try {
      await within(
          Promise.all(jobs.map((j) => j.waitUntilFinished(events, WAIT_MS))),
          WAIT_MS, 'the 5 prioritized jobs');
      eq(order, [jobs[1].id, jobs[3].id, jobs[2].id, jobs[0].id, jobs[4].id],
         'processing order');
      const logs = await queue.getJobLogs(jobs[2].id);
      eq([logs.logs, logs.count], [['ran p2'], 1], 'getJobLogs');
      // CLIENT SETNAME / CLIENT LIST: the worker's connections by name.
      const workers = await queue.getWorkers();
      assert(
          workers.length >= 1 && workers.every((w) => w.name === 'priority'),
          'getWorkers: ' + JSON.stringify(workers.map((w) => w.name)));
      const metrics = await queue.getMetrics('completed');
      eq(metrics.meta.count, 5, 'getMetrics completed count');
    } finally {
      await worker.close();
    }
    eq((await queue.clean(0, 100, 'completed')).length, 5, 'clean completed');
    eq(await queue.getCompletedCount(), 0, 'completed after clean');
  });
});

check(
    'manual jobs and job edits: promote, changeDelay, changePriority, ' +
        'updateData, deduplication, retryJobs, remove, drain, obliterate',
    async () => {
      await withQueue('admin', null, null, async ({queue}) => {
        const late = await queue.add('late', {}, {delay: 60000});
        await late.changeDelay(120000);
        eq((await Job.fromId(queue, late.id)).delay, 120000, 'changeDelay');
        await late.promote();
        eq(await late.getState(), 'waiting', 'state after promote');
        const prio = await queue.add('prio', {a: 1}, {priority: 5});
        await prio.changePriority({priority: 1});
        eq(await queue.getCountsPerPriority([1, 5]), {1: 1, 5: 0},
           'changePriority');
        await prio.updateData({a: 2});
        eq((await Job.fromId(queue, prio.id)).data, {a: 2}, 'updateData');
        const d1 = await queue.add('d', {}, {deduplication: {id: 'once'}});
        const d2 = await queue.add('d', {}, {deduplication: {id: 'once'}});
        eq(d2.id, d1.id, 'deduplicated job id');
        eq(await queue.getDeduplicationJobId('once'), d1.id,
           'getDeduplicationJobId');
        // A worker without a processor: jobs fetched and failed by hand.
        const worker = new Worker('admin', null, {connection: connection()});
        try {
          const job = await worker.getNextJob('token-1');
          eq(job.id, late.id, 'getNextJob takes the oldest waiting job');
          await job.moveToFailed(new Error('by hand'), 'token-1');
          eq(await job.getState(), 'failed', 'state after moveToFailed');
          await queue.retryJobs({state: 'failed'});
          eq(await job.getState(), 'waiting', 'state after retryJobs');
        } finally {
          await worker.close();
        }
        await d1.remove();
        eq(await queue.getJobState(d1.id), 'unknown', 'state after remove');
        await queue.add('later', {}, {delay: 60000});
        await queue.drain(true);
        eq(await queue.getJobCounts('wait', 'delayed', 'prioritized'),
           {wait: 0, delayed: 0, prioritized: 0}, 'counts after drain');
        await queue.obliterate({force: true});
        const redis = new IORedis(ioredisOptions);
        try {
          eq(await redis.keys('bull:admin:*'), [], 'keys after obliterate');
        } finally {
          await redis.quit();
        }
      });
    });

check(
    'three workers share 200 jobs: each runs once, retried ones twice',
    async () => {
      // The scripts' atomicity under contention: every job is taken by
      // exactly one worker per attempt. Jobs i % 7 == 0 fail once and
      // are retried; i % 5 == 0 are delayed 50 ms.
      const N = 200, runs = new Map(), all = deferred();
      let completed = 0;
      await withQueue('shared', null, null, async ({queue}) => {
        const workers = ['w1', 'w2', 'w3'].map((name) => {
          const w = new Worker('shared', async (job) => {
            runs.set(job.data.i, (runs.get(job.data.i) || 0) + 1);
            if (job.data.i % 7 === 0 && job.attemptsMade === 0) {
              throw new Error('once');
            }
            return job.data.i;
          }, {connection: connection(), concurrency: 8, name});
          w.on('completed', () => {
            if (++completed === N) all.resolve();
          });
          return w;
        });
        try {
          const spec = (i) => ({
            name: 'j',
            data: {i},
            opts: {attempts: 2, delay: i % 5 === 0 ? 50 : 0},
          });
          await queue.addBulk(Array.from({length: N}, (_, i) => spec(i)));
          await within(all.promise, 20000, N + ' jobs completed');
        } finally {
          for (const w of workers) await w.close();
        }
        const wrong = [];
        for (let i = 0; i < N; i++) {
          const want = i % 7 === 0 ? 2 : 1;
          if (runs.get(i) !== want) wrong.push([i, runs.get(i)]);
        }
        eq(wrong, [], 'jobs not run exactly as often as expected');
        eq(await queue.getJobCounts('completed', 'failed', 'active', 'wait'),
           {completed: N, failed: 0, active: 0, wait: 0}, 'final counts');
      });
    });

async function main() {
  const redis = new IORedis(ioredisOptions);
  await redis.flushall();
  await redis.quit();
  const only = process.env.BULLMQ_ONLY;
  let failed = 0;
  for (const c of checks) {
    if (only && !c.name.includes(only)) continue;
    const t = Date.now();
    try {
      await within(c.fn(), 30000, 'the whole check');
      console.log('ok   ' + c.name + ' (' + (Date.now() - t) + ' ms)');
    } catch (e) {
      failed++;
      console.log('FAIL ' + c.name + ': ' + (e && e.stack || e));
    }
  }
  console.log(failed ? failed + ' check(s) failed' : 'all checks passed');
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.log('FAIL setup: ' + (e && e.stack || e));
  process.exit(1);
});
