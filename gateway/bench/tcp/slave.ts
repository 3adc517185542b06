/**
 * A minimal Modbus TCP slave for bench:tcp, in its own process so its CPU is not the
 * gateway's: answers FC 3/4 for any unit with word i = (address + i + unit) mod 1000.
 * Listens on the ports given as arguments (0 = any), prints `ports <p1> <p2> ...` when ready.
 */
import { createServer, type Socket } from 'node:net';

function serve(socket: Socket): void {
  socket.setNoDelay(true);
  let pending: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    const replies: Buffer[] = [];
    while (pending.length >= 12) {
      const length = pending.readUInt16BE(4);
      if (pending.length < 6 + length) break;
      const tid = pending.readUInt16BE(0);
      const unit = pending[6]!;
      const fn = pending[7]!;
      const address = pending.readUInt16BE(8);
      const count = pending.readUInt16BE(10);
      pending = pending.subarray(6 + length);
      if ((fn !== 3 && fn !== 4) || count < 1 || count > 125) {
        const ex = Buffer.alloc(9);
        ex.writeUInt16BE(tid, 0);
        ex.writeUInt16BE(3, 4);
        ex[6] = unit;
        ex[7] = fn | 0x80;
        ex[8] = 3;
        replies.push(ex);
        continue;
      }
      const reply = Buffer.alloc(9 + 2 * count);
      reply.writeUInt16BE(tid, 0);
      reply.writeUInt16BE(3 + 2 * count, 4);
      reply[6] = unit;
      reply[7] = fn;
      reply[8] = 2 * count;
      for (let i = 0; i < count; i++) reply.writeUInt16BE((address + i + unit) % 1000, 9 + 2 * i);
      replies.push(reply);
    }
    if (replies.length > 0) socket.write(replies.length === 1 ? replies[0]! : Buffer.concat(replies));
  });
  socket.on('error', () => socket.destroy());
}

const ports: number[] = [];
for (const wanted of process.argv.slice(2).map(Number)) {
  const server = createServer(serve);
  await new Promise<void>((resolve) => server.listen(wanted, '127.0.0.1', resolve));
  const address = server.address();
  ports.push(typeof address === 'object' && address ? address.port : 0);
}
process.stdout.write(`ports ${ports.join(' ')}\n`);
process.on('SIGTERM', () => process.exit(0));
