// Run @20minutes/s3rver on 127.0.0.1 at a free port for rec's tests.
// Usage: node s3rver.js MODULE_DIR DATA_DIR PORT_FILE TTL_SECONDS
// Writes the port it listens on to PORT_FILE once it accepts requests,
// and exits by itself after TTL_SECONDS. Started by test/s3/s3rver.
'use strict';

const [moduleDir, dataDir, portFile, ttl] = process.argv.slice(2);
const fs = require('fs');
process.argv.push('--no-color'); // plain logs (winston's colors look here)
const S3rver = require(moduleDir);

const server = new S3rver({
	address: '127.0.0.1',
	port: 0,
	directory: dataDir,
	silent: false,
	vhostBuckets: false,
	allowMismatchedSignatures: false,
});
setTimeout(() => {
	console.error('s3rver: time limit reached, exiting');
	process.exit(0);
}, Number(ttl) * 1000).unref();
for (const sig of ['SIGTERM', 'SIGINT'])
	process.on(sig, () => process.exit(0));
server.run().then((addr) => {
	// One line per request, as S3 logs it (s3rver's own lines are terse).
	server.httpServer.prependListener('request', (req, res) => {
		res.on('finish', () => console.error(
			`s3rver: ${req.method} ${req.url} ${res.statusCode}`));
	});
	fs.writeFileSync(portFile + '.tmp', String(addr.port) + '\n');
	fs.renameSync(portFile + '.tmp', portFile);
	console.error(`s3rver: listening on 127.0.0.1:${addr.port}`);
}, (err) => {
	console.error('s3rver: cannot start:', err);
	process.exit(1);
});
