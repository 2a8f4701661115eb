/** The bcrypt worker thread (plain JS, so it needs no loader): answers {id, op, password, hash|cost} with {id, result} or {id, error}. */
import { parentPort } from 'node:worker_threads';
import bcrypt from 'bcryptjs';

parentPort.on('message', (msg) => {
  try {
    const result = msg.op === 'hash'
      // bcryptjs salts are `$2b$`; GoTrue (Go's x/crypto/bcrypt) writes `$2a$`, identical for passwords up to 72 bytes.
      ? bcrypt.hashSync(msg.password, bcrypt.genSaltSync(msg.cost).replace(/^\$2b\$/, '$2a$'))
      : bcrypt.compareSync(msg.password, msg.hash);
    parentPort.postMessage({ id: msg.id, result });
  } catch (err) {
    parentPort.postMessage({ id: msg.id, error: err instanceof Error ? err.message : String(err) });
  }
});
