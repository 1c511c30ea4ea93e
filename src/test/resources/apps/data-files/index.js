// Reference app for Leanode's pruning tests: GET / -> "hello from data-files", GET /env -> runtime
// facts, GET /data -> answers that need the dependencies' own data files, and which of those files
// node really loaded (require.cache), so a test can tell "still works" from "never read the file".
const express = require('express');
const mime = require('mime-types');
const iconv = require('iconv-lite');
const app = express();
app.get('/', (req, res) => res.type('text/plain').send('hello from data-files'));
app.get('/env', (req, res) => res.json({ app: 'data-files', NODE_ENV: process.env.NODE_ENV || null, uid: process.getuid() }));
app.get('/data', (req, res) => {
  const cyrillic = iconv.decode(Buffer.from([0x8f, 0xe0, 0xa8, 0xa2, 0xa5, 0xe2]), 'cp866');
  const loaded = Object.keys(require.cache).map((f) => f.replace(/^.*node_modules\//, ''));
  res.json({
    webmanifest: mime.lookup('app.webmanifest'),
    xls: mime.extension('application/vnd.ms-excel'),
    cyrillic,
    mimeDbLoaded: loaded.includes('mime-db/db.json'),
    codePagesLoaded: loaded.filter((f) => f.startsWith('iconv-lite/encodings/sbcs-data')).sort(),
  });
});
const port = Number(process.env.PORT || 3000);
app.listen(port, () => console.log('data-files listening on ' + port));
