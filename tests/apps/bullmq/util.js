'use strict';
// What the BullMQ test programs (bullmq_test.js, restart_test.js) share:
// the connection options for 127.0.0.1:$BULLMQ_PORT and the helpers that
// give every wait a deadline and every failed check a message.

const port = Number(process.env.BULLMQ_PORT);
if (!port) {
  console.error('BULLMQ_PORT is not set');
  process.exit(2);
}

// ioredis options; maxRetriesPerRequest null as BullMQ requires for its
// blocking connections.
const connection = {
  host: '127.0.0.1',
  port,
  maxRetriesPerRequest: null
};

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
  within,
  deferred,
  assert,
  eq
};
