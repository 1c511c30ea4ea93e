// Reference app for Leanode's end-to-end tests: GET / -> "hello from pnpm-app", GET /env -> runtime facts.
const express = require('express');
const app = express();
app.get('/', (req, res) => res.type('text/plain').send('hello from pnpm-app'));
app.get('/env', (req, res) => res.json({ app: 'pnpm-app', NODE_ENV: process.env.NODE_ENV || null, uid: process.getuid() }));
const port = Number(process.env.PORT || 3000);
app.listen(port, () => console.log('pnpm-app listening on ' + port));
