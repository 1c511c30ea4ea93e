'use strict';
const http = require('http');
const greet = require('@ws/greeting');
http
  .createServer((req, res) => res.end(greet('workspace')))
  .listen(Number(process.env.PORT || 3000), () => console.log('listening'));
