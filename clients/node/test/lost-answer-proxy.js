// @ts-check
'use strict';
// A TCP proxy in front of the server that can lose an answer: once armed, it closes
// both connections when the next bytes come back from the server, so the server has
// run (and, for an autocommit call, committed) the statement but the client never
// reads the answer. PostgreSQL sends an autocommit statement's result with its
// ReadyForQuery, after the commit, so the first bytes after arming follow the commit.

const net = require('node:net');

class LostAnswerProxy {
  constructor() {
    this.armed = false;
    this.dropped = false;
    /** @type {Set<net.Socket>} */
    this.sockets = new Set();
    this.server = net.createServer((client) => this.relay(client));
  }

  /** @returns {Promise<number>} the port it listens on (127.0.0.1) */
  listen() {
    return new Promise((resolve) => {
      this.server.listen(0, '127.0.0.1', () => {
        resolve(/** @type {net.AddressInfo} */ (this.server.address()).port);
      });
    });
  }

  /** Lose the next answer. */
  arm() {
    this.armed = true;
  }

  close() {
    for (const s of this.sockets) s.destroy();
    this.server.close();
  }

  /** @param {net.Socket} client */
  relay(client) {
    const host = process.env.PGHOST || '/var/run/postgresql';
    const port = Number(process.env.PGPORT || 5432);
    const upstream = host.startsWith('/')
      ? net.connect({ path: `${host}/.s.PGSQL.${port}` })
      : net.connect({ host, port });
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => { client.destroy(); upstream.destroy(); });
    }
    client.on('data', (data) => upstream.write(data));
    upstream.on('data', (data) => {
      if (this.armed) {
        this.armed = false;
        this.dropped = true;
        client.destroy();
        upstream.destroy();
        return;
      }
      client.write(data);
    });
  }
}

module.exports = { LostAnswerProxy };
