// Reference app for Leanode's end-to-end tests: serves public/ (GET / -> public/index.html), GET /env -> runtime facts.
const path = require('path');
const express = require('express');
const app = express();
app.use(express.static(path.join(__dirname, 'public')));
app.get('/env', (req, res) => res.json({ app: 'static-public', NODE_ENV: process.env.NODE_ENV || null, uid: process.getuid() }));
const port = Number(process.env.PORT || 3000);
app.listen(port, () => console.log('static-public listening on ' + port));
