// Reference app for Leanode's end-to-end tests: GET / -> "hello from monorepo-api", GET /env -> runtime facts.
const express = require('express');
const app = express();
app.get('/', (req, res) => res.type('text/plain').send('hello from monorepo-api'));
app.get('/env', (req, res) => res.json({ app: 'monorepo-api', NODE_ENV: process.env.NODE_ENV || null, uid: process.getuid() }));
const port = Number(process.env.PORT || 3000);
app.listen(port, () => console.log('monorepo-api listening on ' + port));
