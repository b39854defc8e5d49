// Preloaded into the hub's child process (`node --import`): `loyalty-hub serve` listens on every
// interface (it passes no host), and the benchmarks must stay on loopback. A listen() given a
// port and no host is pinned to 127.0.0.1; nothing else about the server changes.
import net from 'node:net';

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'number' && (args[1] === undefined || typeof args[1] === 'function')) {
    args.splice(1, args[1] === undefined ? 1 : 0, '127.0.0.1');
  }
  return listen.apply(this, args);
};
