// Reference app for Leanode's end-to-end tests, compiled to dist/ by `npm run build`.
import { createServer } from 'node:http';

const port = Number(process.env.PORT || 3000);
createServer((req, res) => {
  if (req.url === '/env') {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ app: 'typescript-dist', NODE_ENV: process.env.NODE_ENV || null, uid: process.getuid ? process.getuid() : null }));
    return;
  }
  res.setHeader('content-type', 'text/plain');
  res.end('hello from typescript-dist');
}).listen(port, () => console.log(`typescript-dist listening on ${port}`));
