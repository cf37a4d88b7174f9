'use strict';
// What the BullMQ test programs (bullmq_test.js, restart_test.js) share:
// the connections to 127.0.0.1:$BULLMQ_PORT and the helpers that give
// every wait a deadline and every failed check a message.

const port = Number(process.env.BULLMQ_PORT);
if (!port) {
  console.error('BULLMQ_PORT is not set');
  process.exit(2);
}

// ioredis's options; maxRetriesPerRequest null as BullMQ requires for its
// blocking connections.
const ioredisOptions = {
  host: '127.0.0.1',
  port,
  maxRetriesPerRequest: null
};

// What a Queue, Worker, QueueEvents or FlowProducer gets as `connection`:
// ioredis's options (BullMQ opens its own ioredis clients), or with
// BULLMQ_CLIENT=node-redis a new, unconnected node-redis client (RESP2),
// which BullMQ adapts (createNodeRedisClient). Call once per object.
function connection() {
  if (process.env.BULLMQ_CLIENT === 'node-redis') {
    const {createClient} = require('redis');
    return createClient({url: 'redis://127.0.0.1:' + port});
  }
  return ioredisOptions;
}

// Resolves with p's value, or rejects naming `what` after ms.
function within(p, ms, what) {
  let timer;
  const t = new Promise((_, reject) => {
    timer = setTimeout(
        () => reject(
            new Error('timed out after ' + ms + ' ms waiting for ' + what)),
        ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

// A promise with its resolve function, for events seen later.
function deferred() {
  let resolve, reject;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return {promise, resolve, reject};
}

function assert(cond, msg) {
  if (!cond) throw new Error('assertion failed: ' + msg);
}

// Deep equality through JSON, with both values in the message.
function eq(actual, expected, what) {
  const a = JSON.stringify(actual), e = JSON.stringify(expected);
  if (a !== e) {
    throw new Error(what + ': expected ' + e + ', got ' + a);
  }
}

module.exports = {
  connection,
  ioredisOptions,
  within,
  deferred,
  assert,
  eq
};
